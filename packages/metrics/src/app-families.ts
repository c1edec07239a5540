import {
  type CustomMetricSeries,
  exposedCustomName,
  type ProcessLabels,
  type ProcessMetrics,
} from '@velos/core';
import { family, type MetricFamily, NO_LABELS, pushHistogram } from './metric-family.js';
import { processLabels } from './process-families.js';

/** An app's `/metrics` as one scrape found it (`metrics_url`, OBS-1). */
export interface ScrapedApp {
  process: ProcessLabels;
  url: string;
  /**
   * True when the URL is the app's, shared by its processes (fetched once through `process`): its
   * series carry the app's `name` and `namespace` only, since no one instance's numbers they are.
   */
  shared?: boolean;
  /** False when the fetch failed, timed out, was too large or did not parse. */
  isUp: boolean;
  /** Why the last scrape failed. */
  error?: string;
  durationSeconds: number;
  /** Failed scrapes of this app since the scraper was created. */
  errorsTotal: number;
  /** The families found (empty when the scrape failed). */
  families: MetricFamily[];
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A valid metric or label name made from any string: invalid characters become `_`. */
export function sanitizeName(raw: string): string {
  if (NAME_RE.test(raw)) return raw;
  const cleaned = raw.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned || '_';
}

/**
 * The app's labels beside ours: an app label named like one of ours becomes `exported_<label>`, as
 * Prometheus does when a target's labels clash with the scrape's (`exported_exported_<label>` when the
 * app has an `exported_<label>` too, so neither value is lost); names are sanitised.
 */
export function renameClashingLabels(
  ours: Readonly<Record<string, string>>,
  theirs: Record<string, string>,
): Record<string, string> {
  const renamed: Record<string, string> = {};
  const clashing: [string, string][] = [];
  for (const [key, value] of Object.entries(theirs)) {
    const name = sanitizeName(key);
    if (name in ours) clashing.push([name, value]);
    else renamed[name] = value;
  }
  for (const [name, value] of clashing) {
    let free = `exported_${name}`;
    while (free in ours || free in renamed) free = `exported_${free}`;
    renamed[free] = value;
  }
  return renamed;
}

/** The exposed name of a custom metric: sanitised, and a counter always ends in `_total`. */
export function customMetricName(series: Pick<CustomMetricSeries, 'name' | 'type'>): string {
  return exposedCustomName(sanitizeName(series.name), series.type);
}

/** OBS-6: the custom metrics of every process, one family per name, with the process labels. */
export function customFamilies(processes: readonly ProcessMetrics[]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const process of processes) {
    const ours = processLabels(process);
    for (const series of process.custom ?? []) {
      const name = customMetricName(series);
      let target = byName.get(name);
      if (target === undefined) {
        target = family(
          name,
          series.type,
          series.help ?? `Custom metric ${series.name} published by the app.`,
        );
        byName.set(name, target);
      } else if (target.type !== series.type) {
        continue;
      }
      const labels = renameClashingLabels(ours, series.labels);
      if (series.type === 'histogram') {
        if (series.histogram !== undefined) pushHistogram(target, labels, series.histogram, ours);
      } else {
        target.samples.push({ name, labels, value: series.value ?? 0, shared: ours });
      }
    }
  }
  return [...byName.values()];
}

/** The labels of an app's shared `metrics_url`: its `name` and `namespace`, no instance. */
function appLabels(process: ProcessLabels): Readonly<Record<string, string>> {
  return { name: process.name, namespace: process.namespace };
}

/** The scrape's own series (`velos_app_scrape_*`, in `health`) and the families of every scraped app with its labels. */
export function scrapedFamilies(scraped: readonly ScrapedApp[]): {
  health: MetricFamily[];
  families: MetricFamily[];
} {
  const up = family(
    'velos_app_scrape_up',
    'gauge',
    "1 when the last scrape of the app's metrics_url succeeded, else 0.",
  );
  const errors = family(
    'velos_app_scrape_errors_total',
    'counter',
    "Failed scrapes of the app's metrics_url (unreachable, timeout, too large, malformed).",
  );
  const duration = family(
    'velos_app_scrape_duration_seconds',
    'gauge',
    "Duration of the last scrape of the app's metrics_url, in seconds.",
  );
  const families: MetricFamily[] = [];
  for (const app of scraped) {
    const ours = app.shared === true ? appLabels(app.process) : processLabels(app.process);
    up.samples.push({ name: up.name, labels: NO_LABELS, value: app.isUp ? 1 : 0, shared: ours });
    errors.samples.push({ name: errors.name, labels: NO_LABELS, value: app.errorsTotal, shared: ours });
    duration.samples.push({
      name: duration.name,
      labels: NO_LABELS,
      value: app.durationSeconds,
      shared: ours,
    });
    for (const found of app.families) {
      families.push({
        ...found,
        samples: found.samples.map((sample) => ({
          ...sample,
          labels: renameClashingLabels(ours, sample.labels),
          shared: ours,
        })),
      });
    }
  }
  return { health: [up, errors, duration], families };
}
