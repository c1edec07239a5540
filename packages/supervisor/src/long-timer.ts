import { monotonicMs } from './monotonic-ms.js';

/** The longest delay `setTimeout` keeps (2^31 − 1 ms, ~24.8 days); Node fires a longer one after 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A pending `setLongTimeout`; `clear` cancels it (also between two links of its chain). */
export interface LongTimer {
  clear(): void;
}

/**
 * Calls `fn` once `delayMs` have passed, whatever the delay: past `MAX_TIMEOUT_MS` it is a chain
 * of shorter timeouts, and each one checks on the monotonic clock that the end is due before it
 * calls `fn` (a link of the chain, or a timeout that fires early, arms the next one instead). An
 * unref'ed timer does not keep the process alive.
 */
export function setLongTimeout(
  fn: () => void,
  delayMs: number,
  options: { unref?: boolean } = {},
): LongTimer {
  const dueAt = monotonicMs() + Math.max(0, delayMs || 0);
  let timer: NodeJS.Timeout | null = null;
  let isCleared = false;
  const arm = (remainingMs: number): void => {
    // ceil: a fraction of a millisecond left would otherwise make a 0 ms timeout that fires early again
    timer = setTimeout(tick, Math.min(Math.ceil(remainingMs), MAX_TIMEOUT_MS));
    if (options.unref) timer.unref();
  };
  const tick = (): void => {
    timer = null;
    if (isCleared) return;
    const remainingMs = dueAt - monotonicMs();
    if (remainingMs > 0) {
      arm(remainingMs);
      return;
    }
    isCleared = true;
    fn();
  };
  arm(dueAt - monotonicMs());
  return {
    clear() {
      isCleared = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
