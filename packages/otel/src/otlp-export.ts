import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Subscription, VelosControl, VelosEvent } from '@velos/core';
import { createExportFailureLog, type ExportFailureLog } from './export-failure-log.js';
import { createLifecycleSpans, type LifecycleSpans } from './lifecycle-spans.js';
import { observeVelosMetrics } from './metric-observer.js';
import type { OtlpSettings } from './otlp-settings.js';
import { createVelosResource } from './resource.js';

/** Name and version of the instrumentation scope of every metric and span. */
export const SCOPE_NAME = 'velos';
/** Spans waiting for export, at most (more are dropped by the SDK's batch processor). */
export const MAX_QUEUED_SPANS = 2048;
/** Longest wait for one export request. */
const MAX_EXPORT_TIMEOUT_MS = 10_000;

/** What `startOtlpExport` needs: the daemon's control, the resolved settings, and a daemon.log line writer. */
export interface OtlpExportOptions {
  control: VelosControl;
  settings: OtlpSettings;
  /** `service.version` of the resource (the Velos version). */
  version: string;
  log: (line: string) => void;
}

/** A running OTLP export. */
export interface OtlpExport {
  /** Sends what is pending (one last collection of the metrics) and stops. */
  close(): Promise<void>;
}

/**
 * OBS-5: exports the daemon's metrics (observable instruments read from `control.metrics()` each
 * interval) and, unless turned off, its lifecycle events as spans, over OTLP/HTTP (JSON). Export
 * failures become rate-limited daemon.log lines, never errors.
 * @example const otlp = await startOtlpExport({ control, settings, version: VELOS_VERSION, log });
 */
export async function startOtlpExport(options: OtlpExportOptions): Promise<OtlpExport> {
  const { control, settings, log } = options;
  const resource = createVelosResource(options.version);
  const timeoutMillis = Math.min(MAX_EXPORT_TIMEOUT_MS, settings.intervalMs);
  const exporterOptions = { headers: settings.headers, timeoutMillis };

  const metricExporter = reportOutcomes(
    new OTLPMetricExporter({ ...exporterOptions, url: settings.metricsUrl }),
    createExportFailureLog(log, 'metrics', settings.metricsUrl),
  );
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: metricExporter,
        exportIntervalMillis: settings.intervalMs,
        exportTimeoutMillis: timeoutMillis,
      }),
    ],
  });

  let spans: LifecycleSpans | null = null;
  let tracerProvider: BasicTracerProvider | null = null;
  let subscription: Subscription<VelosEvent[]> | null = null;
  let following: Promise<void> = Promise.resolve();
  if (settings.tracesUrl !== null) {
    const traceExporter = reportOutcomes(
      new OTLPTraceExporter({ ...exporterOptions, url: settings.tracesUrl }),
      createExportFailureLog(log, 'traces', settings.tracesUrl),
    );
    tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [
        new BatchSpanProcessor(traceExporter, {
          maxQueueSize: MAX_QUEUED_SPANS,
          scheduledDelayMillis: Math.min(5_000, settings.intervalMs),
          exportTimeoutMillis: timeoutMillis,
        }),
      ],
    });
    const lifecycle = createLifecycleSpans(tracerProvider.getTracer(SCOPE_NAME, options.version), async () =>
      (await control.list()).map((p) => ({ ...p, memoryBytes: p.memory, cpuPercent: p.cpu })),
    );
    spans = lifecycle;
    // only what happens from now on: runs already going are opened from the snapshot below
    const newest = (await control.events({ limit: 1 })).events.at(-1)?.seq ?? 0;
    const feed = control.followEvents({ afterSeq: newest });
    subscription = feed;
    following = (async () => {
      for await (const events of feed) await lifecycle.handle(events);
    })().catch((error: unknown) => log(`otlp: the event feed ended: ${String(error)}`));
    const snapshot = await control.metrics();
    lifecycle.noteSnapshot(snapshot.processes, snapshot.at, true);
  }
  observeVelosMetrics(
    meterProvider.getMeter(SCOPE_NAME, options.version),
    () => control.metrics(),
    (snapshot) => spans?.noteSnapshot(snapshot.processes, snapshot.at),
  );

  return {
    async close() {
      // events published just before (the exits of a shutdown) are still on their way
      await new Promise((resolve) => setImmediate(resolve));
      subscription?.cancel();
      await following;
      spans?.close();
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider?.shutdown()]);
    },
  };
}

interface Exporter<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
}

function reportOutcomes<T, E extends Exporter<T>>(exporter: E, failures: ExportFailureLog): E {
  const send = exporter.export.bind(exporter);
  exporter.export = (items, resultCallback) =>
    send(items, (result) => {
      if (result.code === ExportResultCode.SUCCESS) failures.succeeded();
      else failures.failed(result.error);
      resultCallback(result);
    });
  return exporter;
}
