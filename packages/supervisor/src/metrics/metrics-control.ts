import { ErrorCodes, type VelosControl, VelosError } from '@velos/core';
import type { ProcessTable } from '../process-table.js';
import { takeMetricsSnapshot } from './metrics-snapshot.js';

/** What the metrics commands need from the supervisor. */
export interface MetricsControlDeps {
  home: string;
  table: ProcessTable;
  createdAt: number;
}

/** OBS-1/OBS-7 in the daemon: the `metrics` and `metrics.history` commands and the counters behind them. */
export interface MetricsControl extends Pick<VelosControl, 'metrics' | 'metricsHistory'> {
  close(): void;
}

/** Creates the metrics commands of the supervisor. */
export function createMetricsControl(deps: MetricsControlDeps): MetricsControl {
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
    async metricsHistory() {
      // IN PROGRESS (session 5): replaced by the history store before this lands
      throw new VelosError(ErrorCodes.INTERNAL, 'metrics history is not built yet');
    },
    close() {},
  };
}
