/**
 * @velos/app: what a program Velos supervises uses to publish custom metrics (OBS-6) and app events
 * (OBS-2) without an HTTP server: a JSON line on stdout, or `process.send` in a cluster worker.
 */

/** Labels of a series: names to values (never `id`, `name`, `instance`, `namespace`: Velos adds them). */
export type Labels = Record<string, string | number | boolean>;

/** Options every metric report takes. */
export interface MetricOptions {
  labels?: Labels;
  /** One line saying what the metric measures. */
  help?: string;
}

/**
 * Adds `value` (default 1) to a counter.
 * @example
 * counter('orders_total', { labels: { shop: 'eu' } });
 */
export function counter(name: string, options: MetricOptions & { value?: number } = {}): void {
  report({ velos_metric: name, type: 'counter', value: options.value ?? 1, ...rest(options) });
}

/** Sets a gauge to `value`, or moves it by `value` with `op: 'inc'` or `'dec'`. */
export function gauge(
  name: string,
  value: number,
  options: MetricOptions & { op?: 'set' | 'inc' | 'dec' } = {},
): void {
  report({
    velos_metric: name,
    type: 'gauge',
    value,
    ...(options.op ? { op: options.op } : {}),
    ...rest(options),
  });
}

/** Observes `value` in a histogram; `buckets` (ascending upper bounds) count from the first report of the name on. */
export function histogram(
  name: string,
  value: number,
  options: MetricOptions & { buckets?: number[] } = {},
): void {
  report({
    velos_metric: name,
    type: 'histogram',
    value,
    ...(options.buckets ? { buckets: options.buckets } : {}),
    ...rest(options),
  });
}

/** Publishes an app event `app.<name>` on the daemon's event bus, with a message, a severity and fields. */
export function event(
  name: string,
  fields: Record<string, unknown> & {
    message?: string;
    severity?: 'info' | 'warning' | 'error' | 'critical';
  } = {},
): void {
  report({ ...fields, velos_event: name });
}

function rest(options: MetricOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (options.labels) out.labels = options.labels;
  if (options.help) out.help = options.help;
  return out;
}

/** A process Velos started with an IPC channel (a cluster worker) sends the report over it; any other prints the line. */
function report(message: Record<string, unknown>): void {
  const proc = process as NodeJS.Process & { connected?: boolean };
  if (proc.send && proc.connected && process.env.VELOS_ID !== undefined) {
    proc.send(message);
    return;
  }
  process.stdout.write(`${JSON.stringify(message)}\n`);
}
