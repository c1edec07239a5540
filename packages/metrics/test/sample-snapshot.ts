import type { MetricsSnapshot, ProcessMetrics } from '@velos/core';

/** A process with every figure set, for rendering tests. */
export function sampleProcess(id: number, overrides: Partial<ProcessMetrics> = {}): ProcessMetrics {
  return {
    id,
    name: `app-${id}`,
    instance: 0,
    namespace: 'default',
    status: 'online',
    pid: 1000 + id,
    cpuPercent: 12.5,
    memoryBytes: 50_000_000,
    memoryPeakBytes: 60_000_000,
    uptimeSeconds: 42,
    restarts: 3,
    exits: { crash: 2, user: 1 },
    logLines: { out: 100, err: 7 },
    logErrors: 5,
    logBytes: 12_345,
    logDropped: 0,
    health: null,
    ...overrides,
  };
}

/** A snapshot with `count` processes and every daemon and host figure set. */
export function sampleSnapshot(count = 2, processes?: ProcessMetrics[]): MetricsSnapshot {
  return {
    at: 1_764_600_000_000,
    daemon: {
      version: '0.1.0',
      pid: 4242,
      uptimeSeconds: 3600,
      memoryBytes: 48_000_000,
      heapUsedBytes: 9_000_000,
      processes: { online: count },
      ipcRequests: [
        { cmd: 'list', outcome: 'ok', count: 10 },
        { cmd: 'start', outcome: 'INVALID_ARGUMENT', count: 1 },
      ],
      ipcLatencySeconds: {
        bounds: [0.001, 0.01, 0.1, Number.POSITIVE_INFINITY],
        counts: [5, 9, 11, 11],
        sum: 0.05,
        count: 11,
      },
      eventLoopLagSeconds: { mean: 0.002, max: 0.01 },
      events: { 'process.started': 3, 'process.exited': 2 },
      alerts: { ok: 1, firing: 1 },
      customMetricsRejected: [{ id: 0, name: 'app-0', instance: 0, namespace: 'default', count: 2 }],
    },
    host: {
      cpuPercent: 20,
      cpuCount: 2,
      memoryTotalBytes: 8e9,
      memoryAvailableBytes: 4e9,
      load: [0.5, 0.4, 0.3],
      disk: { path: '/home/me/.velos', totalBytes: 1e11, freeBytes: 5e10, availableBytes: 4e10 },
      network: [{ interface: 'eth0', rxBytes: 1000, txBytes: 2000 }],
    },
    processes: processes ?? Array.from({ length: count }, (_, id) => sampleProcess(id)),
  };
}
