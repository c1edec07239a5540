import type { AppSpec } from '@velos/core';

/** `metrics_url` placeholders: the instance's index, and its `increment_var` port. */
const INSTANCE = /\{instance\}/g;
const PORT = /\{port\}/g;

/**
 * The `metrics_url` of one instance: `{instance}` becomes its index and `{port}` its value of
 * `increment_var` (the base port plus the index), so each instance is scraped where it serves. Without
 * a placeholder every instance has the app's one URL, which the scraper then fetches once for the app:
 * behind a cluster's shared port any worker may answer, so the numbers are not one instance's.
 */
export function instanceMetricsUrl(
  spec: Pick<AppSpec, 'metricsUrl' | 'env' | 'incrementVar'>,
  instance: number,
): string | undefined {
  const url = spec.metricsUrl;
  if (url === undefined || !url.includes('{')) return url;
  const expanded = url.replace(INSTANCE, String(instance));
  if (!expanded.includes('{port}')) return expanded;
  const base = spec.incrementVar === undefined ? undefined : spec.env[spec.incrementVar];
  return base === undefined ? expanded : expanded.replace(PORT, String(Number(base) + instance));
}

/** Why an app's `metrics_url` cannot be expanded (`{port}` without a numeric `increment_var`), or null. */
export function metricsUrlProblem(
  spec: Pick<AppSpec, 'name' | 'metricsUrl' | 'incrementVar'>,
): string | null {
  if (spec.metricsUrl === undefined || !spec.metricsUrl.includes('{port}')) return null;
  if (spec.incrementVar !== undefined) return null;
  return `${spec.name}: metrics_url: {port} is the instance's increment_var port; set increment_var (e.g. increment_var = "PORT" with PORT in env), or use {instance}`;
}
