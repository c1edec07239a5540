/** Milliseconds in a minute: the engine counts lines per minute. */
export const MINUTE_MS = 60_000;

/** The minute index (minutes since the epoch) of a timestamp. */
export function minuteOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS);
}

/** Slot of a minute in a ring of `size` per-minute counters. */
export function slotOf(minute: number, size: number): number {
  const slot = minute % size;
  return slot < 0 ? slot + size : slot;
}

/** Sum of the counters of minutes `from..to` (inclusive) of a ring. */
export function sumMinutes(ring: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  for (let m = from; m <= to; m++) sum += ring[slotOf(m, ring.length)]!;
  return sum;
}

/** How a pattern's frequency moves over the window. */
export type Trend = 'rising' | 'stable' | 'declining';

/**
 * Compares the older and the recent half of minutes `from..to`: rising when the recent half has at least
 * 1.5 times the lines of the older half plus 2, declining in the opposite case, else stable (also when the
 * span is shorter than 4 minutes).
 */
export function trendOf(ring: ArrayLike<number>, from: number, to: number): Trend {
  const span = to - from + 1;
  if (span < 4) return 'stable';
  const half = Math.floor(span / 2);
  const older = sumMinutes(ring, from, from + half - 1);
  const recent = sumMinutes(ring, to - half + 1, to);
  if (recent >= 1.5 * older + 2) return 'rising';
  if (older >= 1.5 * recent + 2) return 'declining';
  return 'stable';
}
