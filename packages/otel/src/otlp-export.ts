import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { deferredCa, VELOS_VERSION, type VelosControl } from '@velos/core';
import { createExportFailureLog, reportOutcomes } from './export-failure-log.js';
import { type LifecycleFeed, startLifecycleFeed } from './lifecycle-feed.js';
import { startMetricPipeline } from './metric-pipeline.js';
import { type OtlpSettings, redactUrl } from './otlp-settings.js';
import { createVelosResource } from './resource.js';

/** Name and version of the instrumentation scope of every metric and span. */
export const SCOPE_NAME = 'velos';
/** Spans waiting for export, at most (more are dropped by the SDK's batch processor). */
export const MAX_QUEUED_SPANS = 2048;
/** Longest wait for the last export at close (the rest is dropped). */
export const MAX_CLOSE_MS = 2000;
/** Longest wait for one export request. */
const MAX_EXPORT_TIMEOUT_MS = 10_000;

/** What `startOtlpExport` needs: the daemon's control, the resolved settings, and a daemon.log line writer. */
export interface OtlpExportOptions {
  control: VelosControl;
  settings: OtlpSettings;
  /** `service.version` of the resource; default the Velos version of `@velos/core`. */
  version?: string;
  log: (line: string) => void;
}

/** A running OTLP export. */
export interface OtlpExport {
  /** Sends what is pending (one last collection of the metrics, at most `MAX_CLOSE_MS`) and stops. */
  close(): Promise<void>;
}

/**
 * OBS-5: exports the daemon's metrics (observable instruments read from `control.metrics()` each
 * interval) and, unless turned off, its lifecycle events as spans, over OTLP/HTTP (JSON). Export
 * failures become rate-limited daemon.log lines, never errors.
 * @example const otlp = await startOtlpExport({ control, settings, log: console.log });
 */
export async function startOtlpExport(options: OtlpExportOptions): Promise<OtlpExport> {
  const { control, settings, log } = options;
  const version = options.version ?? VELOS_VERSION;
  const resource = createVelosResource(version);
  const timeoutMillis = Math.min(MAX_EXPORT_TIMEOUT_MS, settings.intervalMs);
  // the exporters' agents trust a deferred NODE_EXTRA_CA_CERTS too (see deferredCa)
  const ca = await deferredCa();
  const httpAgentOptions = ca ? { ca } : undefined;
  const exporterOptions = {
    headers: settings.headers,
    timeoutMillis,
    ...(httpAgentOptions ? { httpAgentOptions } : {}),
  };

  let feed: LifecycleFeed | null = null;
  let tracerProvider: BasicTracerProvider | null = null;
  try {
    if (settings.tracesUrl !== null) {
      const traceExporter = reportOutcomes(
        new OTLPTraceExporter({ ...exporterOptions, url: settings.tracesUrl }),
        createExportFailureLog(log, 'traces', redactUrl(settings.tracesUrl)),
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
      feed = await startLifecycleFeed(control, tracerProvider.getTracer(SCOPE_NAME, version), log);
    }
  } catch (error) {
    await tracerProvider?.shutdown().catch(() => undefined);
    throw error;
  }
  const lifecycle = feed;
  const metrics = startMetricPipeline({
    url: settings.metricsUrl,
    headers: settings.headers,
    ...(httpAgentOptions ? { httpAgentOptions } : {}),
    intervalMs: settings.intervalMs,
    timeoutMs: timeoutMillis,
    resource,
    scope: { name: SCOPE_NAME, version },
    failures: createExportFailureLog(log, 'metrics', redactUrl(settings.metricsUrl)),
    readSnapshot: () => control.metrics(),
    onSnapshot: (snapshot) => lifecycle?.noteSnapshot(snapshot),
  });

  return {
    async close() {
      await lifecycle?.close();
      // a collector that hangs must not hold a stopping daemon longer than this
      const flushed = Promise.allSettled([metrics.close(), tracerProvider?.shutdown()]);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise((resolve) => {
        timer = setTimeout(resolve, MAX_CLOSE_MS);
      });
      await Promise.race([flushed, late]);
      clearTimeout(timer);
    },
  };
}
