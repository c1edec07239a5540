import { formatBytes } from './units.js';

/** How far back sustained memory growth is looked for: the history must cover it without a gap. */
export const MEMORY_GROWTH_WINDOW_MS = 10 * 60 * 1000;
/** The least growth rate that counts, in MB (10^6 bytes) per minute, over the whole window. */
export const MEMORY_GROWTH_MIN_MB_PER_MIN = 1;
/** The window is cut into this many equal spans; each span's mean RSS must be above the one before. */
export const MEMORY_GROWTH_SPANS = 5;
/**
 * The metrics history to ask for `findMemoryGrowth` (`velos describe`, MCP `health_check`): the window
 * and a minute more, in 10-second points, enough for its spans.
 */
export const MEMORY_GROWTH_HISTORY = { sinceMs: MEMORY_GROWTH_WINDOW_MS + 60_000, points: 66 } as const;
/** Part of the window the points must cover (a process that ran for less is not judged). */
const COVERAGE = 0.9;
const MB = 1_000_000;

/** Sustained growth of a process's RSS: its rate (least squares), over how long, and from what to what (mean RSS of the first and last spans). */
export interface MemoryGrowth {
  mbPerMin: number;
  minutes: number;
  fromBytes: number;
  toBytes: number;
}

/**
 * Whether RSS grew steadily over the last `MEMORY_GROWTH_WINDOW_MS` of a history (`t` epoch ms and
 * `memory` bytes, oldest first, null where it did not run): the points cover the window without a gap,
 * the mean of each of `MEMORY_GROWTH_SPANS` equal spans is above the one before (so garbage collections
 * within a span do not matter), and the least-squares rate over the window is
 * `MEMORY_GROWTH_MIN_MB_PER_MIN` or more. Null when it did not (or the history is too short to tell).
 */
export function findMemoryGrowth(
  t: readonly number[],
  memory: readonly (number | null)[],
  windowMs = MEMORY_GROWTH_WINDOW_MS,
): MemoryGrowth | null {
  if (t.length === 0) return null;
  const end = t[t.length - 1]!;
  const start = end - windowMs;
  let first = t.length - 1;
  while (first > 0 && t[first - 1]! >= start) first -= 1;
  // a gap (a stop, a restart's wait) in the window: the run it measures is younger than the window
  for (let i = first; i < t.length; i += 1) if (memory[i] === null || memory[i] === undefined) return null;
  if (end - t[first]! < windowMs * COVERAGE) return null;
  const spanMs = (end - t[first]!) / MEMORY_GROWTH_SPANS;
  const sums = new Array<number>(MEMORY_GROWTH_SPANS).fill(0);
  const counts = new Array<number>(MEMORY_GROWTH_SPANS).fill(0);
  for (let i = first; i < t.length; i += 1) {
    const span = Math.min(MEMORY_GROWTH_SPANS - 1, Math.floor((t[i]! - t[first]!) / spanMs));
    sums[span]! += memory[i]!;
    counts[span]! += 1;
  }
  if (counts.some((count) => count === 0)) return null;
  const means = sums.map((sum, i) => sum / counts[i]!);
  for (let i = 1; i < means.length; i += 1) if (means[i]! <= means[i - 1]!) return null;
  const mbPerMin = (slopePerMs(t, memory as readonly number[], first) * 60_000) / MB;
  if (mbPerMin < MEMORY_GROWTH_MIN_MB_PER_MIN) return null;
  return {
    mbPerMin: Math.round(mbPerMin * 10) / 10,
    minutes: Math.round((end - t[first]!) / 60_000),
    fromBytes: Math.round(means[0]!),
    toBytes: Math.round(means.at(-1)!),
  };
}

/** The least-squares slope of `values` over `t` from index `first` on, per ms. */
function slopePerMs(t: readonly number[], values: readonly number[], first: number): number {
  const n = t.length - first;
  let meanT = 0;
  let meanV = 0;
  for (let i = first; i < t.length; i += 1) {
    meanT += (t[i]! - t[first]!) / n;
    meanV += values[i]! / n;
  }
  let covariance = 0;
  let variance = 0;
  for (let i = first; i < t.length; i += 1) {
    const dt = t[i]! - t[first]! - meanT;
    covariance += dt * (values[i]! - meanV);
    variance += dt * dt;
  }
  return variance === 0 ? 0 : covariance / variance;
}

/** One line for a health report: `memory grows 12.5 MB/min for 10 min (30M → 150M), no max_memory`. */
export function describeMemoryGrowth(growth: MemoryGrowth): string {
  const range = `${formatBytes(growth.fromBytes)} → ${formatBytes(growth.toBytes)}`;
  return `memory grows ${growth.mbPerMin} MB/min for ${growth.minutes} min (${range}), no max_memory`;
}
