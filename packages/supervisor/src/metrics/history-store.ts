import type { MetricsHistory, MetricsHistoryRequest, ProcessLabels } from '@velos/core';
import {
  collectPoints,
  downsamplePoints,
  type HistoryColumns,
  MAX_HISTORY_ANSWER_POINTS,
  toColumns,
} from './history-query.js';
import { type ProcessCounts, restartsInWindow } from './history-restarts.js';
import { GAP, HISTORY_SPAN_MS, HistorySeries } from './history-series.js';

/** What one monitor sample says of one process. */
export interface ProcessSample {
  isRunning: boolean;
  /** CPU percent of the tree (100 = one core). */
  cpu: number;
  /** RSS of the tree in bytes. */
  memory: number;
  /** Restarts since the process was added (`velos_process_restart_total`: `velos reset` does not lower it). */
  restarts: number;
  /** Log lines (stdout + stderr) the pipeline has counted so far. */
  logLines: number;
}

/**
 * OBS-7: the metrics history of every process, by id: a series is created on a process's first
 * running sample (a process that never ran costs nothing) and dropped with the process.
 */
export class HistoryStore {
  readonly series = new Map<number, HistorySeries>();
  /** True when a sample came in since the last `markSaved`. */
  isDirty = false;

  constructor(readonly intervalMs: number) {}

  /** Records one sample of process `id` called `name` taken at `at` (epoch ms). */
  add(id: number, name: string, at: number, sample: ProcessSample): void {
    let series = this.series.get(id);
    if (series && series.name !== name) {
      this.series.delete(id);
      series = undefined;
    }
    if (!sample.isRunning) {
      // one gap point when it stops; the pause after it is a gap already. It keeps the restart count:
      // the restarts of a crash loop between the last running sample and `errored` counted in none
      if (!series) return;
      series.lastLines = null;
      const last = series.fine.count - 1;
      if (last >= 0 && !Number.isNaN(series.fine.valueAt(0, last))) {
        series.add(at, { ...GAP, restarts: restartsOf(series, sample.restarts) });
      }
      this.isDirty = true;
      return;
    }
    if (!series) {
      series = new HistorySeries(name, this.intervalMs);
      this.series.set(id, series);
    }
    const previous = series.lastLines;
    const elapsedMs = previous ? at - previous.at : 0;
    const logRate =
      previous && elapsedMs > 0 && sample.logLines >= previous.lines
        ? ((sample.logLines - previous.lines) * 1000) / elapsedMs
        : Number.NaN;
    series.lastLines = { lines: sample.logLines, at };
    const restarts = restartsOf(series, sample.restarts);
    series.add(at, { cpu: sample.cpu, memory: sample.memory, restarts, logRate });
    this.isDirty = true;
  }

  /** Drops the history of process `id` (deleted). */
  forget(id: number): void {
    if (this.series.delete(id)) this.isDirty = true;
  }

  /** Drops the history of every process `isKept` refuses. */
  prune(isKept: (id: number, name: string) => boolean): void {
    for (const [id, series] of this.series) if (!isKept(id, series.name)) this.forget(id);
  }

  /** Bytes the typed arrays of every series hold. */
  byteLength(): number {
    let bytes = 0;
    for (const series of this.series.values()) bytes += series.byteLength();
    return bytes;
  }

  /**
   * The history of `processes`, at most the last 24 h: the last hour at the sampling resolution then
   * 1-minute means, downsampled to `points`, and within `MAX_HISTORY_ANSWER_POINTS` over all of them.
   */
  query(
    processes: (ProcessLabels & ProcessCounts)[],
    request: Pick<MetricsHistoryRequest, 'sinceMs' | 'points'>,
    now = Date.now(),
  ): MetricsHistory[] {
    const since = now - Math.min(request.sinceMs ?? HISTORY_SPAN_MS, HISTORY_SPAN_MS);
    const share = Math.max(1, Math.floor(MAX_HISTORY_ANSWER_POINTS / Math.max(1, processes.length)));
    const asked = request.points ?? Number.POSITIVE_INFINITY;
    return processes.map(({ createdAt, restarts, ...labels }) => {
      const counts = {
        ...(createdAt === undefined ? {} : { createdAt }),
        ...(restarts === undefined ? {} : { restarts }),
      };
      const found = this.series.get(labels.id);
      const series = found?.name === labels.name ? found : undefined;
      const points = series ? collectPoints(series, since) : null;
      const inWindow = restartsInWindow(series, points, since, counts);
      const restartsKey = inWindow === undefined ? {} : { restartsInWindow: inWindow };
      if (!series || !points) return { ...labels, ...emptyColumns(), ...restartsKey };
      const all = points.t.length;
      const kept = Math.min(asked, share);
      const columns = toColumns(downsamplePoints(points, kept, now));
      const cut =
        share < asked && all > share ? { cut: { maxPoints: share, omittedPoints: all - share } } : {};
      return { ...labels, ...columns, ...restartsKey, ...cut };
    });
  }
}

/**
 * The restart count to record: `restarts` plus the series' offset, raised when the count is below the
 * last one recorded (a daemon started again counts from the table's restarts, which a `velos reset`
 * lowered, while the history file kept the total), so the column never goes down.
 */
function restartsOf(series: HistorySeries, restarts: number): number {
  const last = series.lastRestarts();
  if (last > restarts + series.restartsOffset) series.restartsOffset = last - restarts;
  return restarts + series.restartsOffset;
}

function emptyColumns(): HistoryColumns {
  return { t: [], cpu: [], memory: [], restarts: [], logRate: [] };
}
