import {
  type AlertPhase,
  type CustomMetricSeries,
  ErrorCodes,
  type VelosControl,
  VelosError,
} from '@velos/core';
import type { EventBus } from '../events/event-bus.js';
import { restartsSinceAdded } from '../process-record.js';
import type { ProcessTable } from '../process-table.js';
import { createCustomMetricIntake } from './custom-metric-intake.js';
import type { SeriesBudget } from './custom-metric-store.js';
import { createEventCounts } from './event-counts.js';
import { createHistoryControl, type HistoryControl } from './history-control.js';
import { createIpcRequestStats, type IpcRequestStats } from './ipc-request-stats.js';
import { takeMetricsSnapshot } from './metrics-snapshot.js';
import {
  countExit,
  countJobRun,
  countReplacedWorker,
  createProcessFigures,
  type ProcessFigures,
  processFiguresMetrics,
} from './process-figures.js';

/** What the metrics commands need from the supervisor. */
export interface MetricsControlDeps {
  home: string;
  table: ProcessTable;
  createdAt: number;
  bus: Pick<EventBus, 'published'>;
  log: (line: string) => void;
  /** The alert rules' phases (the alert control's list). */
  alertPhases: () => Promise<AlertPhase[]>;
  /** The event-loop lag of the self-health's sampler, in ms. */
  loopLag: () => { meanMs: number; maxMs: number };
  /** OBS-7: the monitor's sampling period (the history's finest resolution). */
  monitorIntervalMs?: number;
}

/** OBS-1/OBS-7 in the daemon: the `metrics` and `metrics.history` commands and the counters behind them. */
export interface MetricsControl extends Pick<VelosControl, 'metrics' | 'metricsHistory' | 'reportMetric'> {
  /** OBS-1: counts one IPC answer (the daemon's socket server calls it). */
  recordIpcRequest: IpcRequestStats['record'];
  /** OBS-6: the custom metrics process `id` reported (what `describe` shows); empty when none. */
  customSeries(id: number): CustomMetricSeries[];
  /** Drops the figures and the history of a process that was deleted. */
  forget(id: number): void;
  /** OBS-7: the history store (fed after each monitor sample, loaded after the restore, saved at kill). */
  history: Omit<HistoryControl, 'metricsHistory' | 'close'>;
  close(): void;
}

/** Creates the metrics commands of the supervisor and starts counting (status changes, events, custom metrics). */
export function createMetricsControl(deps: MetricsControlDeps): MetricsControl {
  const { table } = deps;
  const ipc = createIpcRequestStats();
  const events = createEventCounts();
  const figures = new Map<number, ProcessFigures>();
  const budget: SeriesBudget = { used: 0 };
  /** The figures of a process of the table, created on first need. */
  const figuresOf = (id: number): ProcessFigures | undefined => {
    let found = figures.get(id);
    if (found === undefined && table.records.has(id)) {
      found = createProcessFigures();
      figures.set(id, found);
    }
    return found;
  };
  const intake = createCustomMetricIntake({ figuresOf, budget, log: deps.log });
  const unsubscribers = [
    table.statusEvents.subscribe((event) => {
      const found = figuresOf(event.id);
      if (found) countExit(found, event);
    }),
    deps.bus.published.subscribe((event) => {
      events.count(event.kind);
      if (event.kind === 'job.finished' && event.id !== undefined) {
        const found = figuresOf(event.id);
        if (found) countJobRun(found, event);
      } else if (event.kind === 'process.reload_step' && event.id !== undefined) {
        const found = figuresOf(event.id);
        // the worker's reason (reload or watch) was set as it was replaced, just before the event
        if (found) countReplacedWorker(found, event, table.records.get(event.id)?.lastExitReason ?? null);
      }
    }),
    table.appMetrics.subscribe((report) => {
      intake(report);
    }),
  ];

  const forgetFigures = (id: number): void => {
    figures.get(id)?.custom?.release();
    figures.delete(id);
  };

  const history = createHistoryControl({
    home: deps.home,
    table: deps.table,
    intervalMs: deps.monitorIntervalMs ?? 2000,
    log: deps.log,
    // the same count as velos_process_restart_total: velos reset lowers no chart
    restartsOf: restartsSinceAdded,
  });
  return {
    async metrics() {
      for (const id of figures.keys()) if (!table.records.has(id)) forgetFigures(id);
      const alerts: Partial<Record<AlertPhase, number>> = {};
      for (const phase of await deps.alertPhases()) alerts[phase] = (alerts[phase] ?? 0) + 1;
      const lag = deps.loopLag();
      return takeMetricsSnapshot({
        home: deps.home,
        table,
        createdAt: deps.createdAt,
        daemonCounters: () => ({
          ipcRequests: ipc.requests(),
          ipcLatencySeconds: ipc.latency(),
          eventLoopLagSeconds: { mean: lag.meanMs / 1000, max: lag.maxMs / 1000 },
          events: events.byKind(),
          alerts,
          customMetricsRejected: [...figures]
            .filter(([, found]) => found.rejected > 0)
            .map(([id, found]) => {
              const record = table.records.get(id)!;
              const { name, namespace } = record.app.spec;
              return { id, name, instance: record.instance, namespace, count: found.rejected };
            }),
          activeResources: countActiveResources(),
        }),
        processCounters: (record) => {
          const found = figuresOf(record.id);
          return {
            ...processFiguresMetrics(found, record.app.spec.type === 'job'),
            // velos_process_restart_total: since added, not lowered by velos reset (velos list's is)
            restarts: restartsSinceAdded(record),
          };
        },
      });
    },
    metricsHistory: history.metricsHistory,
    async reportMetric(request) {
      const { target, instance, ...report } = request;
      const record = reportedProcess(table, target, instance);
      const { name, namespace } = record.app.spec;
      const reason = intake({ id: record.id, name, value: report }, false);
      if (reason !== null) {
        throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `metric refused: ${reason}`, {
          data: { id: record.id, name },
        });
      }
      return { id: record.id, name, instance: record.instance, namespace };
    },
    history,
    recordIpcRequest: ipc.record,
    customSeries: (id) => figures.get(id)?.custom?.series() ?? [],
    forget(id) {
      forgetFigures(id);
      history.forget(id);
    },
    close() {
      for (const unsubscribe of unsubscribers) unsubscribe();
      history.close();
    },
  };
}

/**
 * The one process a `metrics.report` is for: the target's, or its instance `instance`; a target of
 * several processes without `instance` is refused, saying which instances there are.
 */
function reportedProcess(table: ProcessTable, target: string, instance: number | undefined) {
  const records = table.select(target);
  if (instance !== undefined) {
    const found = records.find((record) => record.instance === instance);
    if (found !== undefined) return found;
    const have = records.map((record) => record.instance).join(', ');
    throw new VelosError(
      ErrorCodes.TARGET_NOT_FOUND,
      `${target}: no instance ${instance} (instances: ${have})`,
      {
        data: { field: 'instance' },
      },
    );
  }
  if (records.length === 1) return records[0]!;
  const have = records.map((record) => `${record.instance} (id ${record.id})`).join(', ');
  throw new VelosError(
    ErrorCodes.INVALID_ARGUMENT,
    `${target} has ${records.length} processes: give the instance the metric is of (${have})`,
    { data: { field: 'instance' } },
  );
}

/** `process.getActiveResourcesInfo()` counted by type (a list of strings, cheap to read). */
function countActiveResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
