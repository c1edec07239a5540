import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { HistogramData, MetricsSnapshot } from '@velos/core';
import { processAttributes } from './velos-metrics.js';

/**
 * What observable instruments cannot carry, read from the same snapshot: the histograms
 * (`velos_daemon_ipc_latency_seconds`, `velos_job_duration_seconds`) and the apps' custom
 * metrics (OBS-6) under their own names, with the app's labels. The reader merges them into each
 * export under the provider's resource.
 */
export function createSnapshotProducer(
  readSnapshot: () => Promise<MetricsSnapshot>,
  scope: { name: string; version: string },
): MetricProducer {
  const startedAt = millisToHrTime(Date.now());
  return {
    async collect() {
      const snapshot = await readSnapshot();
      return {
        resourceMetrics: {
          resource: emptyResource(),
          scopeMetrics: [{ scope, metrics: snapshotMetrics(snapshot, startedAt) }],
        },
        errors: [],
      };
    },
  };
}

/** The histograms and custom series of one snapshot as OTLP metric data (one entry per name). */
export function snapshotMetrics(snapshot: MetricsSnapshot, startTime: HrTime): MetricData[] {
  const endTime = millisToHrTime(snapshot.at);
  const daemonStart = millisToHrTime(snapshot.at - snapshot.daemon.uptimeSeconds * 1000);
  const byName = new Map<string, MetricData>();
  const add = (name: string, kind: 'counter' | 'gauge' | 'histogram', unit: string, description: string) => {
    const existing = byName.get(name);
    if (existing !== undefined) return kindOf(existing) === kind ? existing : null;
    const descriptor = { name, description, unit, valueType: ValueType.DOUBLE };
    const temporality = AggregationTemporality.CUMULATIVE;
    const data: MetricData =
      kind === 'histogram'
        ? {
            descriptor,
            aggregationTemporality: temporality,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints: [],
          }
        : kind === 'counter'
          ? {
              descriptor,
              aggregationTemporality: temporality,
              dataPointType: DataPointType.SUM,
              isMonotonic: true,
              dataPoints: [],
            }
          : {
              descriptor,
              aggregationTemporality: temporality,
              dataPointType: DataPointType.GAUGE,
              dataPoints: [],
            };
    byName.set(name, data);
    return data;
  };
  const point = (
    data: MetricData | null,
    attributes: Attributes,
    value: number | HistogramData,
    start: HrTime,
  ) => {
    if (data === null) return;
    if (typeof value === 'number') {
      const isNumeric =
        data.dataPointType === DataPointType.SUM || data.dataPointType === DataPointType.GAUGE;
      if (isNumeric && Number.isFinite(value)) {
        data.dataPoints.push({ startTime: start, endTime, attributes, value });
      }
    } else if (data.dataPointType === DataPointType.HISTOGRAM && value.count > 0) {
      data.dataPoints.push({ startTime: start, endTime, attributes, value: toOtlpHistogram(value) });
    }
  };

  const ipc = add(
    'velos_daemon_ipc_latency_seconds',
    'histogram',
    's',
    'Time from a request frame to its answer',
  );
  point(ipc, {}, snapshot.daemon.ipcLatencySeconds, daemonStart);
  for (const p of snapshot.processes) {
    const labels = processAttributes(p);
    if (p.job !== undefined) {
      const jobs = add('velos_job_duration_seconds', 'histogram', 's', 'Duration of job runs');
      point(jobs, labels, p.job.durationSeconds, startTime);
    }
    // an app's series may not pass for one of Velos' own
    for (const series of (p.custom ?? []).filter((c) => !c.name.startsWith('velos_'))) {
      const data = add(series.name, series.type, '', series.help ?? `${series.type} published by the app`);
      point(data, { ...series.labels, ...labels }, series.histogram ?? series.value ?? Number.NaN, startTime);
    }
  }
  return [...byName.values()].filter((data) => data.dataPoints.length > 0);
}

/** Velos' cumulative buckets (last bound +Inf) as OTLP's per-bucket counts over finite boundaries. */
export function toOtlpHistogram(data: HistogramData): {
  buckets: { boundaries: number[]; counts: number[] };
  sum: number;
  count: number;
} {
  const boundaries: number[] = [];
  const counts: number[] = [];
  let below = 0;
  data.bounds.forEach((bound, i) => {
    const cumulative = data.counts[i] ?? below;
    if (Number.isFinite(bound)) boundaries.push(bound);
    counts.push(Math.max(0, cumulative - below));
    below = cumulative;
  });
  if (boundaries.length === counts.length) counts.push(Math.max(0, data.count - below));
  return { buckets: { boundaries, counts }, sum: data.sum, count: data.count };
}

function kindOf(data: MetricData): 'counter' | 'gauge' | 'histogram' {
  if (data.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  return data.dataPointType === DataPointType.SUM ? 'counter' : 'gauge';
}

/** One read shared by the callers of the same collection (the instruments' callback and the producer run together). */
export function shareSnapshot(
  read: () => Promise<MetricsSnapshot>,
  windowMs = 250,
): () => Promise<MetricsSnapshot> {
  let last: { at: number; promise: Promise<MetricsSnapshot> } | null = null;
  return () => {
    const now = Date.now();
    if (last !== null && now - last.at < windowMs) return last.promise;
    const promise = read();
    last = { at: now, promise };
    promise.catch(() => {
      if (last?.promise === promise) last = null;
    });
    return promise;
  };
}
