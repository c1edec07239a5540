import { HISTORY_COLUMNS } from './history-ring.js';
import { HISTORY_COARSE_MS, type HistorySeries } from './history-series.js';

/**
 * The most points one `metrics.history` answer holds over all its processes (about 33 bytes each in
 * msgpack, so ~8 MB, half a frame): past it each process gets an equal share, downsampled, and says so.
 */
export const MAX_HISTORY_ANSWER_POINTS = 240_000;

/** A series' points in a window, oldest first: times, the span each point covers, and NaN for gaps. */
export interface HistoryPoints {
  t: number[];
  span: number[];
  /** One array per `HISTORY_COLUMNS` entry. */
  values: number[][];
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
  const points: HistoryPoints = { t: [], span: [], values: HISTORY_COLUMNS.map(() => []) };
  const { fine, coarse } = series;
  const fineStart = fine.count > 0 ? fine.timeAt(0) : Number.POSITIVE_INFINITY;
  for (let i = 0; i < coarse.count; i += 1) {
    const start = series.coarseTimeAt(i);
    if (start + HISTORY_COARSE_MS <= sinceMs || start + HISTORY_COARSE_MS > fineStart) continue;
    pushPoint(points, start, HISTORY_COARSE_MS, (column) => coarse.valueAt(column, i));
  }
  for (let i = 0; i < fine.count; i += 1) {
    const at = fine.timeAt(i);
    if (at >= sinceMs) pushPoint(points, at, series.intervalMs, (column) => fine.valueAt(column, i));
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
  const out: HistoryPoints = { t: [], span: [], values: HISTORY_COLUMNS.map(() => []) };
  const bucketOf = (i: number): number =>
    Math.min(maxPoints - 1, Math.floor((points.t[i]! + points.span[i]! / 2 - start) / width));
  const sums = HISTORY_COLUMNS.map(() => 0);
  const counts = HISTORY_COLUMNS.map(() => 0);
  let next = 0;
  let carry = -1;
  for (let bucket = 0; bucket < maxPoints; bucket += 1) {
    const bucketStart = start + bucket * width;
    sums.fill(0);
    counts.fill(0);
    let isEmpty = true;
    for (; next < n && bucketOf(next) <= bucket; next += 1) {
      isEmpty = false;
      carry = next;
      for (let column = 0; column < sums.length; column += 1) {
        const value = points.values[column]![next]!;
        if (Number.isNaN(value)) continue;
        // restarts: the count at the end of the bucket, the others: means
        sums[column] = column === 2 ? value : sums[column]! + value;
        counts[column] = column === 2 ? 1 : counts[column]! + 1;
      }
    }
    if (isEmpty) {
      const isCovered = carry >= 0 && points.t[carry]! + points.span[carry]! > bucketStart;
      pushPoint(out, bucketStart, width, (column) =>
        isCovered ? points.values[column]![carry]! : Number.NaN,
      );
      continue;
    }
    pushPoint(out, bucketStart, width, (column) =>
      counts[column]! > 0 ? sums[column]! / counts[column]! : Number.NaN,
    );
  }
  return out;
}

/** The answer columns of `points`: whole ms and bytes, CPU to 0.1 %, log rate to 0.01 line/s, gaps null. */
export function toColumns(points: HistoryPoints): HistoryColumns {
  const [cpu, memory, restarts, logRate] = points.values as [number[], number[], number[], number[]];
  return {
    t: points.t.map(Math.round),
    cpu: cpu.map((value) => rounded(value, 10)),
    memory: memory.map((value) => rounded(value, 1)),
    restarts: restarts.map((value) => rounded(value, 1)),
    logRate: logRate.map((value) => rounded(value, 100)),
  };
}

function rounded(value: number, scale: number): number | null {
  return Number.isNaN(value) ? null : Math.round(value * scale) / scale;
}

function pushPoint(
  points: HistoryPoints,
  at: number,
  span: number,
  columnValue: (column: number) => number,
): void {
  points.t.push(at);
  points.span.push(span);
  for (let column = 0; column < HISTORY_COLUMNS.length; column += 1)
    points.values[column]!.push(columnValue(column));
}
