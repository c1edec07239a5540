import type { MetricsConfig } from '@velos/core/config';

/** Export period of the metrics when neither config.toml nor `OTEL_METRIC_EXPORT_INTERVAL` sets one. */
export const DEFAULT_EXPORT_INTERVAL_MS = 30_000;
/** The shortest export period accepted (a shorter one is raised to it). */
export const MIN_EXPORT_INTERVAL_MS = 500;
/** `service.name` of the resource unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` name one. */
export const DEFAULT_SERVICE_NAME = 'velos';

/** What the OTLP export does, resolved from `[metrics.otlp]` and the `OTEL_*` variables. */
export interface OtlpSettings {
  /** Full URL metrics are posted to (`…/v1/metrics`). */
  metricsUrl: string;
  /** Full URL spans are posted to (`…/v1/traces`); null when lifecycle events are not exported. */
  tracesUrl: string | null;
  /** Headers from config.toml (the exporter adds `OTEL_EXPORTER_OTLP_*HEADERS`, config winning per key). */
  headers: Record<string, string>;
  intervalMs: number;
  /** Notes for daemon.log (a protocol the HTTP exporters do not speak, a bad interval). */
  notes: string[];
}

/** The answer of `resolveOtlpSettings`: on with its settings, or off and why. */
export type OtlpDecision =
  | { isEnabled: true; settings: OtlpSettings }
  /** `isConfigured`: an endpoint was given, yet the export is off (worth a daemon.log line). */
  | { isEnabled: false; reason: string; isConfigured: boolean };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Decides whether the daemon exports over OTLP/HTTP and where: config.toml `[metrics.otlp]` wins
 * over the standard variables key by key; off unless an endpoint is given, and off with
 * `OTEL_SDK_DISABLED=true` whatever the config says. Pure: loads nothing of the SDK.
 * @example resolveOtlpSettings(config?.metrics?.otlp, process.env)
 */
export function resolveOtlpSettings(otlp: MetricsConfig['otlp'] | undefined, env: Env): OtlpDecision {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    const isConfigured =
      otlp?.endpoint !== undefined ||
      [
        env.OTEL_EXPORTER_OTLP_ENDPOINT,
        env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
        env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      ].some((value) => nonEmpty(value) !== undefined);
    return { isEnabled: false, reason: 'OTEL_SDK_DISABLED=true', isConfigured };
  }
  const notes: string[] = [];
  const base = otlp?.endpoint ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const metricsUrl =
    otlp?.endpoint !== undefined
      ? signalUrl(otlp.endpoint, 'metrics')
      : (nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) ??
        (base === undefined ? undefined : signalUrl(base, 'metrics')));
  const tracesUrl =
    otlp?.endpoint !== undefined
      ? signalUrl(otlp.endpoint, 'traces')
      : (nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ??
        (base === undefined ? undefined : signalUrl(base, 'traces')));
  if (metricsUrl === undefined && tracesUrl === undefined) {
    return {
      isEnabled: false,
      reason: 'no endpoint in [metrics.otlp] or OTEL_EXPORTER_OTLP_*ENDPOINT',
      isConfigured: false,
    };
  }
  const protocol = nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL);
  if (protocol !== undefined && protocol !== 'http/json') {
    notes.push(
      `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol}: Velos exports http/json (any OTLP/HTTP collector reads it)`,
    );
  }
  let intervalMs = otlp?.intervalMs ?? intervalFromEnv(env.OTEL_METRIC_EXPORT_INTERVAL, notes);
  if (intervalMs < MIN_EXPORT_INTERVAL_MS) {
    notes.push(`export interval ${intervalMs} ms raised to ${MIN_EXPORT_INTERVAL_MS} ms`);
    intervalMs = MIN_EXPORT_INTERVAL_MS;
  }
  const isEventsOn = otlp?.events ?? true;
  return {
    isEnabled: true,
    settings: {
      // only a traces endpoint: metrics still need a URL, the collector's usual sibling path
      metricsUrl: metricsUrl ?? siblingUrl(tracesUrl as string, 'traces', 'metrics'),
      tracesUrl: isEventsOn ? (tracesUrl ?? siblingUrl(metricsUrl as string, 'metrics', 'traces')) : null,
      headers: { ...(otlp?.headers ?? {}) },
      intervalMs,
      notes,
    },
  };
}

/**
 * `url` as daemon.log and `velos config reload` show it: a password in it and the values of its query
 * (where a collector may take an API key) as `***`.
 * @example redactUrl('https://u:secret@otlp.example/v1/metrics') // 'https://u:***@otlp.example/v1/metrics'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.password === '' && parsed.search === '') return url;
  if (parsed.password !== '') parsed.password = '***';
  for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, '***');
  return parsed.toString();
}

/** A key that changes when the export must be rebuilt (same settings: keep the running export). */
export function otlpSettingsKey(settings: OtlpSettings): string {
  const headers = Object.entries(settings.headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([settings.metricsUrl, settings.tracesUrl, headers, settings.intervalMs]);
}

function signalUrl(base: string, signal: 'metrics' | 'traces'): string {
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}

function siblingUrl(url: string, from: string, to: string): string {
  return url.endsWith(`/v1/${from}`) ? `${url.slice(0, -from.length)}${to}` : url;
}

function intervalFromEnv(raw: string | undefined, notes: string[]): number {
  const text = nonEmpty(raw);
  if (text === undefined) return DEFAULT_EXPORT_INTERVAL_MS;
  const ms = Number(text);
  if (Number.isInteger(ms) && ms > 0) return ms;
  notes.push(
    `OTEL_METRIC_EXPORT_INTERVAL=${text} is not a positive integer of ms; using ${DEFAULT_EXPORT_INTERVAL_MS}`,
  );
  return DEFAULT_EXPORT_INTERVAL_MS;
}

function nonEmpty(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text === undefined || text === '' ? undefined : text;
}
