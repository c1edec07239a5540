import { type CustomMetricSeries, type CustomMetricType, exposedCustomName, namesTakenBy } from '@velos/core';
import type { CustomMetricReport } from './custom-metric-parse.js';
import { createHistogram, type Histogram } from './histogram.js';

/** Series one process may hold (names × label sets); a report that would add one more is refused. */
export const CUSTOM_METRIC_MAX_SERIES_PER_PROCESS = 1000;
/** Series all processes together may hold, so many processes cannot add up to unbounded memory. */
export const CUSTOM_METRIC_MAX_SERIES_TOTAL = 20_000;
/** The buckets of a histogram that declares none (Prometheus's defaults, in seconds). */
export const DEFAULT_HISTOGRAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Series held by all stores together, against `CUSTOM_METRIC_MAX_SERIES_TOTAL`. */
export interface SeriesBudget {
  used: number;
}

/** OBS-6: the custom metrics of one process, by series. */
export interface CustomMetricStore {
  /**
   * Applies a report; returns why it is refused (a type or buckets that changed, a name whose exposition
   * meets another metric's, like a gauge `lat_count` beside a histogram `lat`, a limit), or null.
   */
  apply(report: CustomMetricReport, now?: number): string | null;
  series(): CustomMetricSeries[];
  /** Gives the store's series back to the budget (the process was deleted). */
  release(): void;
}

interface Family {
  type: CustomMetricType;
  help?: string;
  buckets?: number[];
}

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
  histogram: Histogram | null;
  updatedAt: number;
}

/** Creates the store of one process, counting its series in `budget`. */
export function createCustomMetricStore(budget: SeriesBudget): CustomMetricStore {
  const families = new Map<string, Family>();
  const all = new Map<string, Series>();
  /** The exposed names (`x_total`, `x_bucket`…) each family takes, by the report name that took them. */
  const taken = new Map<string, string>();
  return {
    apply(report, now = Date.now()) {
      let family = families.get(report.name);
      const names = namesTakenBy(exposedCustomName(report.name, report.type), report.type);
      if (family === undefined) {
        for (const name of names) {
          const owner = taken.get(name);
          if (owner !== undefined && owner !== report.name) {
            return `${report.name}: its exposed name ${name} is taken by the ${families.get(owner)!.type} ${owner}`;
          }
        }
        family = { type: report.type };
        if (report.type === 'histogram') family.buckets = report.buckets ?? DEFAULT_HISTOGRAM_BUCKETS;
      } else if (family.type !== report.type) {
        return `${report.name}: already a ${family.type}, reported as a ${report.type}`;
      } else if (report.buckets !== undefined && !sameBuckets(family.buckets, report.buckets)) {
        return `${report.name}: buckets differ from the ones it was first reported with`;
      }
      const key = seriesKey(report.name, report.labels);
      let series = all.get(key);
      if (series !== undefined && !staysFinite(series, report)) {
        return `${report.name}: the total would pass the largest number (${Number.MAX_VALUE})`;
      }
      if (series === undefined) {
        if (all.size >= CUSTOM_METRIC_MAX_SERIES_PER_PROCESS) {
          return `${report.name}: over ${CUSTOM_METRIC_MAX_SERIES_PER_PROCESS} series for this process`;
        }
        if (budget.used >= CUSTOM_METRIC_MAX_SERIES_TOTAL) {
          return `${report.name}: over ${CUSTOM_METRIC_MAX_SERIES_TOTAL} series for all processes`;
        }
        families.set(report.name, family);
        for (const name of names) taken.set(name, report.name);
        series = {
          name: report.name,
          labels: report.labels,
          value: 0,
          histogram: family.buckets ? createHistogram(family.buckets) : null,
          updatedAt: now,
        };
        all.set(key, series);
        budget.used += 1;
      }
      if (report.help !== undefined) family.help = report.help;
      if (report.op === 'set') series.value = report.value;
      else if (report.op === 'inc') series.value += report.value;
      else series.histogram?.observe(report.value);
      series.updatedAt = now;
      return null;
    },
    series() {
      const out: CustomMetricSeries[] = [];
      for (const series of all.values()) {
        const family = families.get(series.name)!;
        const row: CustomMetricSeries = {
          name: series.name,
          type: family.type,
          labels: series.labels,
          updatedAt: series.updatedAt,
        };
        if (family.help !== undefined) row.help = family.help;
        if (series.histogram) row.histogram = series.histogram.toData();
        else row.value = series.value;
        out.push(row);
      }
      return out;
    },
    release() {
      budget.used -= all.size;
      all.clear();
      families.clear();
      taken.clear();
    },
  };
}

/** The series' identity: its name and its labels sorted by name. */
/** False when an increment or observation would carry a total (a counter, a histogram's sum) to Infinity. */
function staysFinite(series: Series, report: CustomMetricReport): boolean {
  if (report.op === 'inc') return Number.isFinite(series.value + report.value);
  if (report.op === 'observe' && series.histogram)
    return Number.isFinite(series.histogram.sum() + report.value);
  return true;
}

function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return name;
  keys.sort();
  let key = name;
  for (const label of keys) key += `\u0000${label}\u0000${labels[label]}`;
  return key;
}

function sameBuckets(a: number[] | undefined, b: number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((bound, i) => bound === b[i]);
}
