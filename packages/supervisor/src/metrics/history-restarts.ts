import type { HistoryPoints } from './history-query.js';
import { HISTORY_COLUMNS } from './history-ring.js';
import { HISTORY_COARSE_MS, type HistorySeries } from './history-series.js';

const RESTARTS = HISTORY_COLUMNS.indexOf('restarts');

/** What the table says of a process now, beside its history. */
export interface ProcessCounts {
  /** Epoch ms it was added to the table. */
  createdAt?: number;
  /** Its restarts since it was added, now (the count the history records). */
  restarts?: number;
}

/**
 * OBS-7: the restarts of a process from `sinceMs` to now: the count now less the count at `sinceMs`
 * (the series' last point before it; 0 for a process added since, whose every restart is in the
 * window; else the window's first point). Undefined when no count is known. The window's points alone
 * missed the restarts before the first of them (a crash loop over within 2 s showed none).
 */
export function restartsInWindow(
  series: HistorySeries | undefined,
  points: HistoryPoints | null,
  sinceMs: number,
  now: ProcessCounts,
): number | undefined {
  const column = points?.values[RESTARTS];
  const recorded = column ? lastNumber(column) : Number.NaN;
  // the table's count in the series' terms (its offset keeps the column from going down)
  const live = now.restarts === undefined ? Number.NaN : now.restarts + (series?.restartsOffset ?? 0);
  const current = Number.isNaN(recorded) ? live : Number.isNaN(live) ? recorded : Math.max(recorded, live);
  if (Number.isNaN(current)) return undefined;
  let start = series ? restartsBefore(series, sinceMs) : Number.NaN;
  if (Number.isNaN(start) && now.createdAt !== undefined && now.createdAt >= sinceMs) start = 0;
  if (Number.isNaN(start) && column) start = firstNumber(column);
  return Number.isNaN(start) ? undefined : Math.max(0, current - start);
}

/** The restart count of the series' last point before `sinceMs` (a fine one, else a whole minute before it); NaN when none. */
function restartsBefore(series: HistorySeries, sinceMs: number): number {
  const { fine, coarse } = series;
  let low = 0;
  for (let high = fine.count; low < high; ) {
    const middle = (low + high) >>> 1;
    if (fine.timeAt(middle) < sinceMs) low = middle + 1;
    else high = middle;
  }
  for (let index = low - 1; index >= 0; index -= 1) {
    const value = fine.valueAt(RESTARTS, index);
    if (!Number.isNaN(value)) return value;
  }
  for (let i = coarse.count - 1; i >= 0; i -= 1) {
    if (series.coarseTimeAt(i) + HISTORY_COARSE_MS > sinceMs) continue;
    const value = coarse.valueAt(RESTARTS, i);
    if (!Number.isNaN(value)) return value;
  }
  return Number.NaN;
}

function lastNumber(values: Float64Array): number {
  for (let i = values.length - 1; i >= 0; i -= 1) if (!Number.isNaN(values[i]!)) return values[i]!;
  return Number.NaN;
}

function firstNumber(values: Float64Array): number {
  for (const value of values) if (!Number.isNaN(value)) return value;
  return Number.NaN;
}
