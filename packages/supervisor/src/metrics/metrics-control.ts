import type { VelosControl } from '@velos/core';
import type { ProcessTable } from '../process-table.js';
import { createHistoryControl, type HistoryControl } from './history-control.js';
import { takeMetricsSnapshot } from './metrics-snapshot.js';

/** What the metrics commands need from the supervisor. */
export interface MetricsControlDeps {
  home: string;
  table: ProcessTable;
  createdAt: number;
  /** OBS-7: the monitor's sampling period (the history's finest resolution) and the daemon log. */
  monitorIntervalMs?: number;
  log?: (line: string) => void;
}

/** OBS-1/OBS-7 in the daemon: the `metrics` and `metrics.history` commands and the counters behind them. */
export interface MetricsControl extends Pick<VelosControl, 'metrics' | 'metricsHistory'> {
  /** OBS-7: the history store (fed after each monitor sample, loaded after the restore, saved at kill). */
  history: Omit<HistoryControl, 'metricsHistory' | 'close'>;
  close(): void;
}

/** Creates the metrics commands of the supervisor. */
export function createMetricsControl(deps: MetricsControlDeps): MetricsControl {
  const history = createHistoryControl({
    home: deps.home,
    table: deps.table,
    intervalMs: deps.monitorIntervalMs ?? 2000,
    log: deps.log ?? (() => undefined),
  });
  return {
    async metrics() {
      return takeMetricsSnapshot({
        home: deps.home,
        table: deps.table,
        createdAt: deps.createdAt,
        daemonCounters: () => ({
          ipcRequests: [],
          ipcLatencySeconds: { bounds: [Number.POSITIVE_INFINITY], counts: [0], sum: 0, count: 0 },
          eventLoopLagSeconds: { mean: 0, max: 0 },
          events: {},
          alerts: {},
          customMetricsRejected: [],
        }),
        processCounters: () => ({ exits: {}, logErrors: 0 }),
      });
    },
    metricsHistory: history.metricsHistory,
    history,
    close() {
      history.close();
    },
  };
}
