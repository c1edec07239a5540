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
  // 1-minute points are one a minute: the window's first and last are found by arithmetic, the fine ones by bisection
  const firstMinute = series.coarseLastMinute - coarse.count + 1;
  const firstCoarse = clampIndex(Math.floor(sinceMs / HISTORY_COARSE_MS) - firstMinute, coarse.count);
  const endCoarse = clampIndex(Math.floor(fineStart / HISTORY_COARSE_MS) - firstMinute, coarse.count);
  let firstFine = 0;
  for (let high = fine.count; firstFine < high; ) {
    const middle = (firstFine + high) >>> 1;
    if (fine.timeAt(middle) < sinceMs) firstFine = middle + 1;
    else high = middle;
  }
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
  const { t, span, values } = points;
  const n = t.length;
  if (n <= maxPoints) return points;
  const start = t[0]!;
  const width = Math.max(1, (Math.max(endMs, t[n - 1]! + 1) - start) / maxPoints);
  const out = allocatePoints(maxPoints);
  const columns = values.length;
  const sums = new Float64Array(columns);
  const counts = new Float64Array(columns);
  let next = 0;
  let carry = -1;
  for (let bucket = 0; bucket < maxPoints; bucket += 1) {
    const bucketStart = start + bucket * width;
    out.t[bucket] = bucketStart;
    out.span[bucket] = width;
    for (let column = 0; column < columns; column += 1) {
      sums[column] = 0;
      counts[column] = 0;
    }
    const first = next;
    // a point belongs to the bucket of its middle, so that a 1-minute mean lands where most of it lies
    while (
      next < n &&
      Math.min(maxPoints - 1, Math.floor((t[next]! + span[next]! / 2 - start) / width)) <= bucket
    ) {
      for (let column = 0; column < columns; column += 1) {
        const value = values[column]![next]!;
        if (Number.isNaN(value)) continue;
        // restarts: the count at the end of the bucket, the others: means
        sums[column] = column === RESTARTS ? value : sums[column]! + value;
        counts[column] = column === RESTARTS ? 1 : counts[column]! + 1;
      }
      next += 1;
    }
    const isEmpty = next === first;
    if (!isEmpty) carry = next - 1;
    const isCovered = isEmpty && carry >= 0 && t[carry]! + span[carry]! > bucketStart;
    for (let column = 0; column < columns; column += 1) {
      let value = Number.NaN;
      if (!isEmpty) value = counts[column]! > 0 ? sums[column]! / counts[column]! : Number.NaN;
      else if (isCovered) value = values[column]![carry]!;
      out.values[column]![bucket] = value;
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
    t: rounded(points.t, 1) as number[],
    cpu: rounded(cpu, 10),
    memory: rounded(memory, 1),
    restarts: rounded(restarts, 1),
    logRate: rounded(logRate, 100),
  };
}

// A plain loop: this runs over every point of an answer (240 000 at most).
function rounded(values: Float64Array, scale: number): (number | null)[] {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i]!;
    out[i] = Number.isNaN(value) ? null : Math.round(value * scale) / scale;
  }
  return out;
}

const RESTARTS = HISTORY_COLUMNS.indexOf('restarts');

function clampIndex(index: number, count: number): number {
  return Number.isFinite(index) ? Math.min(count, Math.max(0, index)) : count;
}

function allocatePoints(count: number): HistoryPoints {
  return {
    t: new Float64Array(count),
    span: new Float64Array(count),
    values: HISTORY_COLUMNS.map(() => new Float64Array(count)),
  };
}
