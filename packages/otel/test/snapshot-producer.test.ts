import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricsSnapshot, ProcessMetrics } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { shareSnapshot, snapshotMetrics, toOtlpHistogram } from '../src/snapshot-producer.js';

const AT = Date.UTC(2026, 0, 1);

function processMetrics(id: number, extra: Partial<ProcessMetrics>): ProcessMetrics {
  return {
    id,
    name: `app${id}`,
    instance: 0,
    namespace: 'default',
    status: 'online',
    pid: 100 + id,
    cpuPercent: 0,
    memoryBytes: 0,
    memoryPeakBytes: 0,
    uptimeSeconds: 1,
    restarts: 0,
    exits: {},
    logLines: { out: 0, err: 0 },
    logErrors: 0,
    logBytes: 0,
    logDropped: 0,
    health: null,
    ...extra,
  };
}

function snapshot(processes: ProcessMetrics[]): MetricsSnapshot {
  return {
    at: AT,
    daemon: {
      version: '0.1.0',
      pid: 1,
      uptimeSeconds: 10,
      memoryBytes: 1,
      heapUsedBytes: 1,
      processes: {},
      ipcRequests: [],
      ipcLatencySeconds: {
        bounds: [0.001, 0.01, Number.POSITIVE_INFINITY],
        counts: [3, 5, 6],
        sum: 0.05,
        count: 6,
      },
      eventLoopLagSeconds: { mean: 0, max: 0 },
      events: {},
      alerts: {},
      customMetricsRejected: [],
    },
    host: {
      cpuPercent: 0,
      cpuCount: 1,
      memoryTotalBytes: 1,
      memoryAvailableBytes: 1,
      load: [0, 0, 0],
      disk: { path: '/', totalBytes: 1, freeBytes: 1, availableBytes: 1 },
      network: [],
    },
    processes,
  };
}

describe('snapshotMetrics', () => {
  it('sends the histograms and the custom series with the app labels, one entry per name', () => {
    const series = (name: string, type: 'counter' | 'gauge', value: number, labels = {}) => ({
      name,
      type,
      labels,
      value,
      updatedAt: AT,
    });
    const metrics = snapshotMetrics(
      snapshot([
        processMetrics(0, {
          custom: [
            series('orders_total', 'counter', 42, { shop: 'eu' }),
            series('queue_depth', 'gauge', 7),
            series('velos_process_memory_bytes', 'gauge', 1),
            {
              name: 'latency_seconds',
              type: 'histogram',
              labels: {},
              histogram: { bounds: [0.5, Number.POSITIVE_INFINITY], counts: [1, 2], sum: 1.2, count: 2 },
              updatedAt: AT,
            },
          ],
        }),
        processMetrics(1, {
          custom: [series('orders_total', 'counter', 3), series('queue_depth', 'counter', 9)],
          job: {
            runs: { ok: 2 },
            durationSeconds: { bounds: [1, Number.POSITIVE_INFINITY], counts: [2, 2], sum: 0.5, count: 2 },
          },
        }),
      ]),
      [0, 0],
    );
    const byName = new Map(metrics.map((m) => [m.descriptor.name, m]));
    expect([...byName.keys()].sort()).toEqual([
      'latency_seconds',
      'orders_total',
      'queue_depth',
      'velos_daemon_ipc_latency_seconds',
      'velos_job_duration_seconds',
    ]);
    const orders = byName.get('orders_total');
    expect(orders?.dataPointType).toBe(DataPointType.SUM);
    expect(orders?.dataPoints.map((p) => [p.value, p.attributes])).toEqual([
      [42, { shop: 'eu', name: 'app0', id: '0', instance: '0', namespace: 'default' }],
      [3, { name: 'app1', id: '1', instance: '0', namespace: 'default' }],
    ]);
    // app1 says counter for app0's gauge: the first kind wins
    expect(byName.get('queue_depth')?.dataPoints.map((p) => p.value)).toEqual([7]);
    const ipc = byName.get('velos_daemon_ipc_latency_seconds');
    expect(ipc?.dataPoints[0]?.value).toEqual({
      buckets: { boundaries: [0.001, 0.01], counts: [3, 2, 1] },
      sum: 0.05,
      count: 6,
    });
    expect(ipc?.dataPoints[0]?.startTime).toEqual([Math.floor(AT / 1000) - 10, 0]);
    expect(byName.get('velos_job_duration_seconds')?.dataPoints[0]?.attributes).toMatchObject({
      name: 'app1',
    });
  });

  it('leaves out empty histograms', () => {
    const empty = snapshot([]);
    empty.daemon.ipcLatencySeconds = { bounds: [Number.POSITIVE_INFINITY], counts: [0], sum: 0, count: 0 };
    expect(snapshotMetrics(empty, [0, 0])).toEqual([]);
  });
});

describe('toOtlpHistogram', () => {
  it('turns cumulative counts into per-bucket counts, with or without the +Inf bound', () => {
    expect(toOtlpHistogram({ bounds: [1, 2], counts: [1, 4], sum: 9, count: 5 })).toEqual({
      buckets: { boundaries: [1, 2], counts: [1, 3, 1] },
      sum: 9,
      count: 5,
    });
  });
});

describe('shareSnapshot', () => {
  it('gives callers of the same collection one read', async () => {
    let reads = 0;
    const shared = shareSnapshot(async () => {
      reads += 1;
      return snapshot([]);
    }, 60_000);
    const [a, b] = await Promise.all([shared(), shared()]);
    expect(a).toBe(b);
    expect(reads).toBe(1);
  });
});
