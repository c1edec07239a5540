import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as z from 'zod/mini';
import { appDefaultsSchema } from './config-defaults.js';
import { configError } from './config-error.js';
import { CONFIG_PARSE } from './config-issues.js';
import { parseConfigText, withLine } from './config-loader.js';
import { quoteValue } from './config-position.js';
import { configText } from './config-read.js';
import { ErrorCodes, VelosError } from './errors.js';
import { suggestKey } from './key-suggestion.js';
import { durationError, parseDurationMs } from './units.js';

/** CFG-2: `$VELOS_HOME/config.toml`, the daemon's own configuration, validated. */
export interface DaemonConfig {
  /** `[defaults]`: app options (config keys as written) under every app started afterwards; the app's own value wins. */
  defaults: Record<string, unknown>;
  /** `[reload] grace`: how long changed apps have to come up after a config reload before it is rolled back. */
  reloadGraceMs?: number;
  /** `[metrics]`: the Prometheus endpoint the daemon serves and the OTLP export (OBS-1, OBS-5), validated. */
  metrics?: MetricsConfig;
  /** `[[alerts]]`: the alert rules, as written (the alert engine validates them). */
  alerts: unknown[];
  /** Every other top-level table (`[metrics]`, `[api]`…), kept as written for the parts that read them. */
  sections: Record<string, unknown>;
  /** What was accepted with a doubt (unknown sections), one line each. */
  warnings: string[];
}

/** `[metrics]` of config.toml: what the daemon exports while it runs (nothing unless asked). */
export interface MetricsConfig {
  /** Serve `/metrics` (Prometheus text) on this TCP port. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** `[metrics.otlp]`: OTLP/HTTP export; the standard `OTEL_EXPORTER_OTLP_*` variables fill what is not set. */
  otlp?: {
    /** Base URL of the collector (`/v1/metrics`, `/v1/traces` are appended), e.g. http://127.0.0.1:4318. */
    endpoint?: string;
    /** Export period of the metrics; default 30 s. */
    intervalMs?: number;
    /** Headers sent with every export (an API key…). */
    headers?: Record<string, string>;
    /** Also export lifecycle events as spans; default true. */
    events?: boolean;
  };
}

/** Top-level tables config.toml knows, besides `defaults`, `reload` and `alerts`: kept without a warning. */
export const RESERVED_SECTIONS = ['metrics', 'api', 'mcp', 'server', 'health', 'events', 'logs'] as const;

const KNOWN = ['defaults', 'reload', 'alerts', ...RESERVED_SECTIONS];
/** Tables other tools name so: what Velos calls them (no spelling is near enough for a suggestion). */
const SECTION_MEANT: Readonly<Record<string, string>> = {
  otel: 'metrics.otlp',
  otlp: 'metrics.otlp',
  opentelemetry: 'metrics.otlp',
  prometheus: 'metrics',
};

const duration = z.pipe(
  z.union([z.number(), z.string()], { error: (issue) => durationError(issue.input) }),
  z.transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms !== null) return ms;
    ctx.issues.push({ code: 'custom', message: durationError(value), input: value });
    return z.NEVER;
  }),
);

const port = z.int().check(z.gte(1, 'expected a port, 1-65535'), z.lte(65535, 'expected a port, 1-65535'));
const httpUrl = z.string().check(z.regex(/^https?:\/\/[^\s]+$/, 'expected an http:// or https:// URL'));
// what node:http sends; anything else failed every export ("Header name must be a valid HTTP token")
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headers = z
  .record(
    z.string(),
    z
      .string()
      .check(z.regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'expected a header value without control characters')),
  )
  .check(
    z.superRefine((found, ctx) => {
      for (const name of Object.keys(found)) {
        if (HEADER_NAME.test(name)) continue;
        const message = `expected an HTTP header name (letters, digits, - _ .), got ${JSON.stringify(name)}`;
        ctx.issues.push({ code: 'custom', message, input: name, path: [name] });
      }
    }),
  );
const metricsSchema = z.strictObject({
  port: z.optional(port),
  host: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  otlp: z.optional(
    z.strictObject({
      endpoint: z.optional(httpUrl),
      interval: z.optional(duration),
      headers: z.optional(headers),
      events: z.optional(z.boolean()),
    }),
  ),
});

const text = z.string().check(z.minLength(1), z.maxLength(4096));
// API-1: `[api]` has the daemon serve the API; its keys mirror `velos serve`'s flags (checked further there)
const apiSchema = z.strictObject({
  port: z.optional(
    z.int().check(z.gte(0, 'expected a port, 0-65535'), z.lte(65535, 'expected a port, 0-65535')),
  ),
  host: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  token_file: z.optional(text),
  auth: z.optional(z.boolean()),
  tls_cert: z.optional(text),
  tls_key: z.optional(text),
  cors: z.optional(z.union([text, z.array(text)])),
  rate_limit: z.optional(z.union([z.int().check(z.gte(1, 'expected 1 or more requests a minute')), text])),
  dashboard: z.optional(z.boolean()),
  mcp: z.optional(z.boolean()),
});

const daemonConfigSchema = z.object({
  defaults: z.optional(appDefaultsSchema),
  reload: z.optional(z.strictObject({ grace: z.optional(duration) })),
  alerts: z.optional(z.array(z.record(z.string(), z.unknown()))),
  metrics: z.optional(metricsSchema),
  api: z.optional(apiSchema),
});

/**
 * Reads and validates `config.toml` (null when there is none); errors name the file, the key and
 * its line, like app config errors.
 */
export async function loadDaemonConfig(file: string): Promise<DaemonConfig | null> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VelosError(ErrorCodes.CONFIG_NOT_FOUND, `${basename(file)}: cannot read ${file}`, { cause });
  }
  const text = configText(bytes, file);
  const raw = await parseConfigText(text, file);
  try {
    return validateDaemonConfig(raw, basename(file));
  } catch (error) {
    throw await withLine(error, text, file, '.toml');
  }
}

/** Validates a parsed `config.toml` document. */
export function validateDaemonConfig(raw: unknown, label: string): DaemonConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new VelosError(ErrorCodes.INVALID_CONFIG, `${label}: expected tables like [defaults]`);
  }
  const doc = raw as Record<string, unknown>;
  const warnings: string[] = [];
  const sections: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'defaults' || key === 'reload' || key === 'alerts') continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `${label}: ${key}: expected a [${key}] table, got ${quoteValue(value)}`,
        { data: { keyPath: [key] } },
      );
    }
    sections[key] = value;
    if (!(RESERVED_SECTIONS as readonly string[]).includes(key)) {
      const meant = SECTION_MEANT[key.toLowerCase()] ?? suggestKey(key, KNOWN);
      const hint = meant === null ? '' : ` (did you mean [${meant}]?)`;
      warnings.push(`${label}: unknown section [${key}]${hint}: kept, not used by this version`);
    }
  }
  const result = daemonConfigSchema.safeParse(doc, CONFIG_PARSE);
  if (!result.success) throw configError(label, result.error, doc, daemonConfigSchema);
  const config: DaemonConfig = {
    defaults: (doc.defaults as Record<string, unknown> | undefined) ?? {},
    alerts: (doc.alerts as unknown[] | undefined) ?? [],
    sections,
    warnings,
  };
  if (result.data.reload?.grace !== undefined) config.reloadGraceMs = result.data.reload.grace;
  const metrics = result.data.metrics;
  if (metrics !== undefined) {
    const { interval, ...otlp } = metrics.otlp ?? {};
    config.metrics = {
      ...(metrics.port === undefined ? {} : { port: metrics.port }),
      ...(metrics.host === undefined ? {} : { host: metrics.host }),
      ...(metrics.otlp === undefined
        ? {}
        : { otlp: { ...otlp, ...(interval === undefined ? {} : { intervalMs: interval }) } }),
    };
  }
  return config;
}
