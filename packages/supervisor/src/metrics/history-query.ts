import { HISTORY_COLUMNS } from './history-ring.js';
import { HISTORY_COARSE_MS, type HistorySeries } from './history-series.js';

/**
 * The most points one `metrics.history` answer holds over all its processes (about 33 bytes each in
 * msgpack, so ~8 MB, half a frame): past it each process gets an equal share, downsampled, and says so.
 */
export const MAX_HISTORY_ANSWER_POINTS = 240_000;

/** A series' points in a window, oldest first: times, the span each point covers, and NaN for gaps. */
export interface HistoryPoints {
  t: Float64Array;
  span: Float64Array;
  /** One array per `HISTORY_COLUMNS` entry. */
  values: Float64Array[];
}

/** The answer columns of one process (labels apart), gaps as null. */
export interface HistoryColumns {
  t: number[];
  cpu: (number | null)[];
  memory: (number | null)[];
  restarts: (number | null)[];
  logRate: (number | null)[];
}

/** The points of `series` from `sinceMs` (epoch ms) on: 1-minute means up to where the fine points begin, then those. */
export function collectPoints(series: HistorySeries, sinceMs: number): HistoryPoints {
  const { fine, coarse } = series;
  const fineStart = fine.count > 0 ? fine.timeAt(0) : Number.POSITIVE_INFINITY;
  let firstCoarse = coarse.count;
  let endCoarse = 0;
  for (let i = 0; i < coarse.count; i += 1) {
    const end = series.coarseTimeAt(i) + HISTORY_COARSE_MS;
    if (end <= sinceMs || end > fineStart) continue;
    firstCoarse = Math.min(firstCoarse, i);
    endCoarse = i + 1;
  }
  let firstFine = 0;
  while (firstFine < fine.count && fine.timeAt(firstFine) < sinceMs) firstFine += 1;
  const coarseCount = Math.max(0, endCoarse - firstCoarse);
  const points = allocatePoints(coarseCount + fine.count - firstFine);
  let n = 0;
  for (let i = firstCoarse; i < endCoarse; i += 1, n += 1) {
    points.t[n] = series.coarseTimeAt(i);
    points.span[n] = HISTORY_COARSE_MS;
    for (let column = 0; column < points.values.length; column += 1) {
      points.values[column]![n] = coarse.valueAt(column, i);
    }
  }
  for (let i = firstFine; i < fine.count; i += 1, n += 1) {
    points.t[n] = fine.timeAt(i);
    points.span[n] = series.intervalMs;
    for (let column = 0; column < points.values.length; column += 1) {
      points.values[column]![n] = fine.valueAt(column, i);
    }
  }
  return points;
}

/**
 * Downsamples `points` evenly in time to `maxPoints` buckets from the first point to `endMs`: means of
 * cpu, memory and log rate, the last restart count; a bucket no point falls in takes the point before
 * while that point's span still covers it (1-minute means between 2 s points), else it is a gap.
 */
export function downsamplePoints(points: HistoryPoints, maxPoints: number, endMs: number): HistoryPoints {
  const n = points.t.length;
  if (n <= maxPoints) return points;
  const start = points.t[0]!;
  const width = Math.max(1, (Math.max(endMs, points.t[n - 1]! + 1) - start) / maxPoints);
  const out = allocatePoints(maxPoints);
  const columns = points.values.length;
  const sums = new Float64Array(columns);
  const counts = new Float64Array(columns);
  let next = 0;
  let carry = -1;
  for (let bucket = 0; bucket < maxPoints; bucket += 1) {
    const bucketStart = start + bucket * width;
    out.t[bucket] = bucketStart;
    out.span[bucket] = width;
    sums.fill(0);
    counts.fill(0);
    let isEmpty = true;
    for (; next < n && bucketOf(points, next, start, width, maxPoints) <= bucket; next += 1) {
      isEmpty = false;
      carry = next;
      for (let column = 0; column < columns; column += 1) {
        const value = points.values[column]![next]!;
        if (Number.isNaN(value)) continue;
        // restarts: the count at the end of the bucket, the others: means
        sums[column] = column === RESTARTS ? value : sums[column]! + value;
        counts[column] = column === RESTARTS ? 1 : counts[column]! + 1;
      }
    }
    const isCovered = isEmpty && carry >= 0 && points.t[carry]! + points.span[carry]! > bucketStart;
    for (let column = 0; column < columns; column += 1) {
      out.values[column]![bucket] = isEmpty
        ? isCovered
          ? points.values[column]![carry]!
          : Number.NaN
        : counts[column]! > 0
          ? sums[column]! / counts[column]!
          : Number.NaN;
    }
  }
  return out;
}

/** The answer columns of `points`: whole ms and bytes, CPU to 0.1 %, log rate to 0.01 line/s, gaps null. */
export function toColumns(points: HistoryPoints): HistoryColumns {
  const [cpu, memory, restarts, logRate] = points.values as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  return {
    t: Array.from(points.t, Math.round),
    cpu: Array.from(cpu, (value) => rounded(value, 10)),
    memory: Array.from(memory, (value) => rounded(value, 1)),
    restarts: Array.from(restarts, (value) => rounded(value, 1)),
    logRate: Array.from(logRate, (value) => rounded(value, 100)),
  };
}

function rounded(value: number, scale: number): number | null {
  return Number.isNaN(value) ? null : Math.round(value * scale) / scale;
}

const RESTARTS = HISTORY_COLUMNS.indexOf('restarts');

function allocatePoints(count: number): HistoryPoints {
  return {
    t: new Float64Array(count),
    span: new Float64Array(count),
    values: HISTORY_COLUMNS.map(() => new Float64Array(count)),
  };
}

// The bucket of a point is that of its middle, so that a 1-minute mean lands where most of it lies.
function bucketOf(points: HistoryPoints, i: number, start: number, width: number, buckets: number): number {
  return Math.min(buckets - 1, Math.floor((points.t[i]! + points.span[i]! / 2 - start) / width));
}
