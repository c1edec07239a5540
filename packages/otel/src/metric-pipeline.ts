import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricsSnapshot } from '@velos/core';
import { type ExportFailureLog, reportOutcomes } from './export-failure-log.js';
import { observeVelosMetrics } from './metric-observer.js';
import { createSnapshotProducer, shareSnapshot } from './snapshot-producer.js';
import { VELOS_METRICS } from './velos-metrics.js';

/** What `startMetricPipeline` needs. */
export interface MetricPipelineOptions {
  url: string;
  headers: Record<string, string>;
  /** Options of the exporter's HTTP(S) agent (`ca`, see `deferredCa`); Node's defaults when absent. */
  httpAgentOptions?: { ca: string[] };
  intervalMs: number;
  timeoutMs: number;
  resource: Resource;
  scope: { name: string; version: string };
  failures: ExportFailureLog;
  readSnapshot: () => Promise<MetricsSnapshot>;
  onSnapshot: (snapshot: MetricsSnapshot) => void;
}

/**
 * Exports the Velos metrics every interval through a MeterProvider (observable instruments, plus
 * `createSnapshotProducer` for histograms and custom metrics, from one snapshot per export). With cumulative temporality the
 * SDK keeps reporting the last value of a series that is no longer observed, so when a series
 * goes (a process leaves the table, a network interface is removed) the provider is replaced by a fresh one (its counters start again, with a new
 * start time, which is how OTLP says a counter was reset).
 */
export function startMetricPipeline(options: MetricPipelineOptions): { close(): Promise<void> } {
  const readSnapshot = shareSnapshot(options.readSnapshot);
  let current = build();
  let replacing: Promise<void> = Promise.resolve();
  let isClosed = false;

  function build() {
    const exporter = reportOutcomes(
      new OTLPMetricExporter({
        url: options.url,
        headers: options.headers,
        timeoutMillis: options.timeoutMs,
        ...(options.httpAgentOptions ? { httpAgentOptions: options.httpAgentOptions } : {}),
      }),
      options.failures,
    );
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: options.intervalMs,
      exportTimeoutMillis: options.timeoutMs,
      metricProducers: [createSnapshotProducer(readSnapshot, options.scope)],
    });
    const provider = new MeterProvider({ resource: options.resource, readers: [reader] });
    const seen = new Set<string>();
    const meter = provider.getMeter(options.scope.name, options.scope.version);
    const unobserve = observeVelosMetrics(meter, readSnapshot, (snapshot) => {
      options.onSnapshot(snapshot);
      const now = seriesKeys(snapshot);
      const isAnyGone = [...seen].some((key) => !now.has(key));
      for (const key of now) seen.add(key);
      if (isAnyGone && !isClosed) replacing = replacing.then(replace);
    });
    return { provider, unobserve };
  }

  async function replace(): Promise<void> {
    if (isClosed) return;
    const old = current;
    old.unobserve();
    current = build();
    await old.provider.shutdown().catch(() => undefined);
  }

  return {
    async close() {
      isClosed = true;
      await replacing;
      await current.provider.shutdown().catch(() => undefined);
    },
  };
}

/**
 * The series one snapshot gives the observable instruments (name and attributes): a series that
 * is gone (a deleted process, a network interface removed, a probe taken off) is repeated with its
 * last value by the SDK's cumulative aggregation until the provider is replaced.
 */
function seriesKeys(snapshot: MetricsSnapshot): Set<string> {
  const keys = new Set<string>();
  for (const metric of VELOS_METRICS) {
    for (const [value, attributes] of metric.points(snapshot)) {
      if (Number.isFinite(value)) keys.add(`${metric.name} ${JSON.stringify(attributes)}`);
    }
  }
  return keys;
}
