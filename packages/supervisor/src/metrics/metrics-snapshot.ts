import type { DaemonMetrics, MetricsSnapshot, ProcessMetrics, ProcessStatus } from '@velos/core';
import { VELOS_VERSION } from '@velos/core';
import { type ProcessRecord, toInfo } from '../process-record.js';
import type { ProcessTable } from '../process-table.js';
import { readHostMetrics } from './host-metrics.js';
import { instanceMetricsUrl } from './instance-metrics-url.js';

/** What a snapshot reads besides the process table. */
export interface SnapshotSources {
  home: string;
  table: ProcessTable;
  /** Epoch ms the daemon (supervisor) was created. */
  createdAt: number;
  /** Daemon figures kept by counters elsewhere (IPC, events, alerts, event loop). */
  daemonCounters(): Omit<
    DaemonMetrics,
    'version' | 'pid' | 'uptimeSeconds' | 'memoryBytes' | 'heapUsedBytes' | 'processes'
  >;
  /** Figures of one process kept by counters elsewhere (exits, jobs, custom metrics). */
  processCounters(record: ProcessRecord): Pick<ProcessMetrics, 'exits'> & Partial<ProcessMetrics>;
}

/** OBS-1: every figure the daemon measures now, read from the table and the counters; cheap (no I/O but /proc). */
export function takeMetricsSnapshot(sources: SnapshotSources, now = Date.now()): MetricsSnapshot {
  const processes: ProcessMetrics[] = [];
  const byStatus: Partial<Record<ProcessStatus, number>> = {};
  for (const record of sources.table.sorted()) {
    const info = toInfo(record, now);
    byStatus[info.status] = (byStatus[info.status] ?? 0) + 1;
    const counters = record.pipeline.counters();
    const spec = record.app.spec;
    processes.push({
      id: info.id,
      name: info.name,
      instance: info.instance,
      namespace: info.namespace,
      status: info.status,
      pid: info.pid,
      cpuPercent: info.cpu,
      memoryBytes: info.memory,
      memoryPeakBytes: record.memoryPeak,
      uptimeSeconds: info.uptime / 1000,
      restarts: info.restarts,
      logLines: { out: counters.out, err: counters.err },
      // estimated when the live log engine samples a flood; 0 for an app with log_engine = false
      logErrors: Math.round(counters.errors ?? 0),
      logBytes: counters.bytes,
      logDropped: counters.dropped,
      health: info.health?.state ?? null,
      ...(spec.metricsUrl === undefined ? {} : { metricsUrl: instanceMetricsUrl(spec, info.instance) }),
      ...sources.processCounters(record),
    });
  }
  const memory = process.memoryUsage();
  return {
    at: now,
    daemon: {
      version: VELOS_VERSION,
      pid: process.pid,
      uptimeSeconds: (now - sources.createdAt) / 1000,
      memoryBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      processes: byStatus,
      ...sources.daemonCounters(),
    },
    host: readHostMetrics(sources.home),
    processes,
  };
}
