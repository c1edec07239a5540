// `@velos/core/custom-metric-view`: OBS-6 custom metrics as `velos describe` and the dashboard show them.
// Imports no schema: the dashboard bundles it.

import { exposedCustomName } from './metric-names.js';
import type { CustomMetricSeries, CustomMetricType, HistogramData } from './metrics.js';

/** How many series `velos describe` and the dashboard's app view list before "+K more". */
export const CUSTOM_METRICS_SHOWN = 10;

/** One series of a custom metric, ready to show: a counter or gauge's value, a histogram's summary. */
export interface CustomMetricView {
  /** The series as the Prometheus exposition names it, without Velos's labels: `orders_total{shop="eu"}`. */
  series: string;
  type: CustomMetricType;
  /** A counter's total or a gauge's value. */
  value?: number;
  /** A histogram: its observations, their sum and the 50th and 95th percentiles estimated from the buckets. */
  histogram?: { count: number; sum: number; p50: number | null; p95: number | null };
}

/** The first `limit` series by name (then labels), and how many more there are. */
export function summarizeCustomMetrics(
  series: readonly CustomMetricSeries[],
  limit: number = CUSTOM_METRICS_SHOWN,
): { shown: CustomMetricView[]; more: number } {
  const views = series.map(toView).sort((a, b) => compare(a.series, b.series));
  return { shown: views.slice(0, limit), more: Math.max(0, views.length - limit) };
}

/** A view's value in one line: `3`, or `count 2, sum 0.9, p50 0.5, p95 0.95` for a histogram. */
export function customMetricValueText(view: CustomMetricView): string {
  if (!view.histogram) return formatMetricNumber(view.value ?? 0);
  const { count, sum, p50, p95 } = view.histogram;
  const parts = [`count ${formatMetricNumber(count)}`, `sum ${formatMetricNumber(sum)}`];
  if (p50 !== null) parts.push(`p50 ${formatMetricNumber(p50)}`);
  if (p95 !== null) parts.push(`p95 ${formatMetricNumber(p95)}`);
  return parts.join(', ');
}

/**
 * The `q` quantile (0–1) of a histogram, interpolated linearly inside the bucket it falls in (the
 * first bucket starts at 0); in the `+Inf` bucket it is the largest finite bound. Null without observations.
 */
export function histogramQuantile(histogram: HistogramData, q: number): number | null {
  const { bounds, counts } = histogram;
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < counts.length; i += 1) {
    if (counts[i]! < rank) continue;
    const upper = finiteBound(bounds[i]);
    // over JSON the +Inf bound arrives as null
    if (upper === null) return finiteBound(bounds[i - 1]) ?? null;
    const lower = i === 0 ? Math.min(0, upper) : finiteBound(bounds[i - 1])!;
    const below = i === 0 ? 0 : counts[i - 1]!;
    const inBucket = counts[i]! - below;
    return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
  }
  return finiteBound(bounds[bounds.length - 2]) ?? null;
}

/** A metric's number, short: integers whole, others to 6 significant digits (`0.9`, not `0.8999999999999999`). */
export function formatMetricNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

function toView(series: CustomMetricSeries): CustomMetricView {
  const view: CustomMetricView = {
    series: `${exposedCustomName(series.name, series.type)}${labelText(series.labels)}`,
    type: series.type,
  };
  if (series.histogram) {
    const h = series.histogram;
    view.histogram = {
      count: h.count,
      sum: h.sum,
      p50: histogramQuantile(h, 0.5),
      p95: histogramQuantile(h, 0.95),
    };
  } else view.value = series.value ?? 0;
  return view;
}

/** `{a="x",b="y"}` with the names sorted and values escaped as the exposition does; empty without labels. */
function labelText(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  const escaped = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${names.map((name) => `${name}="${escaped(labels[name]!)}"`).join(',')}}`;
}

function finiteBound(bound: number | null | undefined): number | null {
  return typeof bound === 'number' && Number.isFinite(bound) ? bound : null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
