/**
 * How the apps of a view share its time budget (LOG-4): in rounds, each app still to be read gets an
 * equal share of the time left, the apps with the fewest bytes left first, so an app that finishes
 * early leaves its share to the larger apps after it, and the apps a round stopped get what the round
 * left, again in equal shares. No app gets less than an equal share for its place in the target.
 */
import type { ReadPart } from './read-plan.js';

/**
 * Reads the parts of each app (`plans`, newest first per app) with `read` until `deadline`, taking
 * each part read whole off its plan: what is left in a plan afterwards was not read (its first part
 * perhaps in part). `read` resolves false when the deadline it was given stopped it.
 */
export async function readFairly(
  plans: ReadPart[][],
  deadline: number,
  read: (part: ReadPart, deadline: number) => Promise<boolean>,
): Promise<void> {
  for (;;) {
    const waiting = [...plans.keys()]
      .filter((app) => plans[app]!.length > 0)
      .map((app) => ({ app, bytes: bytesLeft(plans[app]!) }))
      .sort((a, b) => a.bytes - b.bytes)
      .map((entry) => entry.app);
    if (waiting.length === 0) return;
    for (const [i, app] of waiting.entries()) {
      const now = Date.now();
      if (now >= deadline) return;
      const until = Math.min(deadline, now + (deadline - now) / (waiting.length - i));
      const left = plans[app]!;
      while (left.length > 0) {
        if (!(await read(left[0]!, until))) break;
        left.shift();
        if (Date.now() >= until) break;
      }
    }
  }
}

/** The bytes of `parts` (a `.gz` file counted as 8 times its size, about what it holds). */
export function bytesLeft(parts: readonly ReadPart[]): number {
  let bytes = 0;
  for (const { source, from, to } of parts) {
    if (source.isCompressed) bytes += source.bytes * 8;
    else bytes += Math.max(0, Math.min(to, source.bytes) - from);
  }
  return bytes;
}

/**
 * The time from which an app's lines were all read, given the parts left unread (`left`, not empty):
 * the newest time any of them may hold; undefined when the time index does not say for one of them.
 */
export function readFromOf(left: readonly ReadPart[]): number | undefined {
  return newestOf(left.map((part) => part.endTs));
}

/** The latest of `times`; undefined when one of them is. */
export function newestOf(times: readonly (number | undefined)[]): number | undefined {
  let newest = Number.NEGATIVE_INFINITY;
  for (const ts of times) {
    if (ts === undefined) return undefined;
    newest = Math.max(newest, ts);
  }
  return Number.isFinite(newest) ? newest : undefined;
}
