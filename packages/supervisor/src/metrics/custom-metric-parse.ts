import type { CustomMetricType } from '@velos/core';

/** Longest metric name accepted. */
export const CUSTOM_METRIC_MAX_NAME_LENGTH = 200;
/** Labels one report may carry at most (besides those Velos adds). */
export const CUSTOM_METRIC_MAX_LABELS = 10;
/** Longest label value accepted. */
export const CUSTOM_METRIC_MAX_LABEL_VALUE_LENGTH = 200;
/** Buckets a histogram may declare at most (`+Inf` is added). */
export const CUSTOM_METRIC_MAX_BUCKETS = 30;
/** Longest help text kept (a longer one is cut). */
const MAX_HELP_LENGTH = 500;
/** Labels Velos adds to every series of a process, and those Prometheus gives a meaning. */
const RESERVED_LABELS = new Set(['id', 'name', 'instance', 'namespace', 'le', 'quantile']);
/**
 * Prometheus's metric names without `:`, which it keeps for recording rules (promtool: "metric names
 * should not contain ':'"; exporters and instrumented programs do not use it) and OpenTelemetry's
 * instrument names do not take: such a name is refused, saying so, rather than renamed.
 */
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: Record<string, CustomMetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
};

/** OBS-6: one validated report: what to do to which series. */
export interface CustomMetricReport {
  name: string;
  type: CustomMetricType;
  /** `inc` for counters (and gauges told so), `set` for gauges, `observe` for histograms. */
  op: 'inc' | 'set' | 'observe';
  value: number;
  labels: Record<string, string>;
  help?: string;
  /** A histogram's bucket upper bounds, ascending (absent: the default buckets). */
  buckets?: number[];
}

/** A report taken apart, or why it is refused. */
export type ParsedCustomMetric = { ok: true; report: CustomMetricReport } | { ok: false; reason: string };

/**
 * Parses a custom metric report: a JSON line or an IPC message object with `velos_metric` (the name),
 * `type` (`counter`, `gauge`, `histogram`), `value` (a counter's increment, default 1; a gauge's value;
 * a histogram's observation), optional `op` (`inc`/`dec`/`set` for a gauge), `labels`, `help`, `buckets`.
 */
export function parseCustomMetric(value: unknown): ParsedCustomMetric {
  let data: unknown = value;
  if (typeof value === 'string') {
    try {
      data = JSON.parse(value);
    } catch {
      return refuse('not valid JSON');
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return refuse('not a JSON object');
  const raw = data as Record<string, unknown>;
  const name = raw.velos_metric;
  if (
    typeof name === 'string' &&
    name.includes(':') &&
    name.length <= CUSTOM_METRIC_MAX_NAME_LENGTH &&
    METRIC_NAME.test(name.replaceAll(':', '_'))
  ) {
    return refuse(
      `${name}: ':' is kept for Prometheus recording rules, not for a program's own metrics: use '_' (${name.replaceAll(':', '_')})`,
    );
  }
  if (typeof name !== 'string' || !METRIC_NAME.test(name) || name.length > CUSTOM_METRIC_MAX_NAME_LENGTH) {
    return refuse(
      `velos_metric: expected a metric name matching ${METRIC_NAME.source} (at most ${CUSTOM_METRIC_MAX_NAME_LENGTH} characters)`,
    );
  }
  if (name.startsWith('velos_')) return refuse(`${name}: the velos_ prefix is kept for Velos's own metrics`);
  const type = typeof raw.type === 'string' ? TYPES[raw.type] : undefined;
  if (type === undefined) return refuse(`${name}: type: expected counter, gauge or histogram`);
  // `_total` marks a counter (Prometheus, OpenMetrics); promtool rejects it on a gauge or histogram
  if (type !== 'counter' && name.endsWith('_total')) {
    return refuse(
      `${name}: '_total' marks a counter, not a ${type}: name the ${type} ${name.slice(0, -'_total'.length) || 'without it'}, or report a counter`,
    );
  }
  const op = opOf(type, raw.op);
  if (op === null)
    return refuse(`${name}: op: expected ${type === 'gauge' ? 'set, inc or dec' : 'none'} for a ${type}`);
  const amount = raw.value ?? (op === 'inc' || op === 'dec' ? 1 : undefined);
  if (typeof amount !== 'number' || !Number.isFinite(amount))
    return refuse(`${name}: value: expected a finite number`);
  if (type === 'counter' && amount < 0)
    return refuse(`${name}: value: a counter only goes up (got ${amount})`);
  const labels = labelsOf(raw.labels);
  if (typeof labels === 'string') return refuse(`${name}: ${labels}`);
  const report: CustomMetricReport = {
    name,
    type,
    op: op === 'dec' ? 'inc' : op,
    value: op === 'dec' ? -amount : amount,
    labels,
  };
  if (typeof raw.help === 'string' && raw.help !== '') report.help = raw.help.slice(0, MAX_HELP_LENGTH);
  if (raw.buckets !== undefined) {
    if (type !== 'histogram') return refuse(`${name}: buckets: only a histogram has buckets`);
    const buckets = bucketsOf(raw.buckets);
    if (buckets === null) {
      return refuse(
        `${name}: buckets: expected at most ${CUSTOM_METRIC_MAX_BUCKETS} finite numbers in ascending order`,
      );
    }
    report.buckets = buckets;
  }
  return { ok: true, report };
}

function refuse(reason: string): ParsedCustomMetric {
  return { ok: false, reason };
}

function opOf(type: CustomMetricType, op: unknown): 'inc' | 'dec' | 'set' | 'observe' | null {
  if (type === 'counter') return op === undefined || op === 'inc' ? 'inc' : null;
  if (type === 'histogram') return op === undefined || op === 'observe' ? 'observe' : null;
  if (op === undefined || op === 'set') return 'set';
  return op === 'inc' || op === 'dec' ? op : null;
}

/** The report's labels as strings, or what is wrong with them. */
function labelsOf(raw: unknown): Record<string, string> | string {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return 'labels: expected an object of names to values';
  const labels: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of Object.entries(raw)) {
    count += 1;
    if (count > CUSTOM_METRIC_MAX_LABELS) return `labels: at most ${CUSTOM_METRIC_MAX_LABELS}`;
    if (!LABEL_NAME.test(key) || key.startsWith('__'))
      return `labels: '${key.slice(0, 50)}' is not a label name`;
    if (RESERVED_LABELS.has(key))
      return `labels: '${key}' is reserved (Velos adds id, name, instance, namespace)`;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return `labels.${key}: expected a string`;
    }
    const text = String(value);
    if (text.length > CUSTOM_METRIC_MAX_LABEL_VALUE_LENGTH) {
      return `labels.${key}: longer than ${CUSTOM_METRIC_MAX_LABEL_VALUE_LENGTH} characters`;
    }
    // Prometheus reads an empty value as no label: {x=""} beside {} would be one series twice
    if (text !== '') labels[key] = text;
  }
  return labels;
}

function bucketsOf(raw: unknown): number[] | null {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > CUSTOM_METRIC_MAX_BUCKETS) return null;
  for (let i = 0; i < raw.length; i += 1) {
    const bound = raw[i];
    if (typeof bound !== 'number' || !Number.isFinite(bound)) return null;
    if (i > 0 && bound <= (raw[i - 1] as number)) return null;
  }
  return raw as number[];
}
