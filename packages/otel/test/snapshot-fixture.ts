import type { MetricsSnapshot } from '@velos/core';

/** A daemon's metrics snapshot with nothing going on: no processes, events, alerts or interfaces. */
export function quietSnapshot(): MetricsSnapshot {
  return {
    at: 0,
    daemon: {
      version: '1.2.3',
      pid: 42,
      uptimeSeconds: 10,
      memoryBytes: 1,
      heapUsedBytes: 1,
      processes: {},
      ipcRequests: [],
      ipcLatencySeconds: { bounds: [Number.POSITIVE_INFINITY], counts: [0], sum: 0, count: 0 },
      eventLoopLagSeconds: { mean: 0, max: 0 },
      events: {},
      alerts: {},
      customMetricsRejected: [],
    },
    host: {
      cpuPercent: 0,
      cpuCount: 2,
      memoryTotalBytes: 1,
      memoryAvailableBytes: 1,
      load: [0, 0, 0],
      disk: { path: '/srv', totalBytes: 100, freeBytes: 60, availableBytes: 50 },
      network: [],
    },
    processes: [],
  };
}
