import type { AlertPhase } from '@velos/core';

/** The notifications of one alert not sent yet: waiting in its rule's queue, or being sent. */
export interface Untold {
  firing: number;
  /** Firing notifications that were the first of their alert (not a repeat): the receiver never saw it fire. */
  firstFiring: number;
  resolved: number;
}

/** A rule's untold notifications by alert key. */
export type UntoldByKey = Map<string, Untold>;

/**
 * Counts a notification of `key` as untold until the returned function is called (once: sent, failed or
 * dropped), so that a daemon stopping meanwhile leaves the next one what to send again.
 */
export function markUntold(
  untold: UntoldByKey,
  key: string,
  status: 'firing' | 'resolved',
  repeat: number,
): () => void {
  const counts = untold.get(key) ?? { firing: 0, firstFiring: 0, resolved: 0 };
  untold.set(key, counts);
  const isFirst = status === 'firing' && repeat === 0;
  counts[status] += 1;
  if (isFirst) counts.firstFiring += 1;
  let isSettled = false;
  return () => {
    if (isSettled) return;
    isSettled = true;
    counts[status] -= 1;
    if (isFirst) counts.firstFiring -= 1;
    if (counts.firing + counts.resolved === 0) untold.delete(key);
  };
}

/**
 * What the receiver has not been told of an alert now in `phase`: its firing (a firing alert whose
 * latest firing notification, or a repeat, was not sent), its resolve (a resolved alert whose resolve was
 * not sent, but whose firing was: a resolve of an alert never seen firing is news of nothing), or nothing.
 */
export function untoldStatusOf(counts: Untold | undefined, phase: AlertPhase): 'firing' | 'resolved' | null {
  if (counts === undefined) return null;
  if (phase === 'firing' && counts.firing > 0) return 'firing';
  if (phase === 'resolved' && counts.resolved > 0 && counts.firstFiring === 0) return 'resolved';
  return null;
}
