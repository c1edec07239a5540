import { type HistogramData, namesTakenBy } from '@velos/core';

/** The Prometheus metric types a family may have in the text exposition. */
export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One line of a family: its full name (`x`, `x_bucket`, `x_sum`…), labels and value. */
export interface Sample {
  name: string;
  /** The sample's own labels; with `shared`, its whole label set is `{...shared, ...labels}`. */
  labels: Record<string, string>;
  value: number;
  /**
   * Labels many samples share (a process's `name`, `id`, `instance`, `namespace`): one object per
   * process, which prom-client formats once and caches; it keeps a scrape of 100 apps cheap.
   */
  shared?: Readonly<Record<string, string>>;
}

/** No labels: one object, so prom-client's cache of formatted label sets hits. */
export const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** A metric family as the exposition writes it: one HELP, one TYPE, its samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: FamilyType;
  samples: Sample[];
}

/** Creates an empty family. */
export function family(name: string, type: FamilyType, help: string): MetricFamily {
  return { name, type, help, samples: [] };
}

/** Adds the samples of one histogram (cumulative buckets, sum, count) under `labels` and `shared`. */
export function pushHistogram(
  target: MetricFamily,
  labels: Record<string, string>,
  data: HistogramData,
  shared: Readonly<Record<string, string>> = NO_LABELS,
): void {
  const push = (name: string, own: Record<string, string>, value: number) =>
    target.samples.push({ name, labels: own, value, shared });
  let sawInf = false;
  data.bounds.forEach((bound, index) => {
    // Over JSON/msgpack the +Inf bound may arrive as null.
    const isInf = bound === null || bound === Number.POSITIVE_INFINITY;
    sawInf ||= isInf;
    push(`${target.name}_bucket`, { ...labels, le: isInf ? '+Inf' : String(bound) }, data.counts[index] ?? 0);
  });
  if (!sawInf) push(`${target.name}_bucket`, { ...labels, le: '+Inf' }, data.count);
  push(`${target.name}_sum`, labels, data.sum);
  push(`${target.name}_count`, labels, data.count);
}

/**
 * Families by name: samples of a family seen again are appended; a clash of types is refused, and so is
 * a family whose names meet another's (a gauge `lat_count` beside a histogram `lat`: a second HELP line).
 */
export class FamilySet {
  readonly #byName = new Map<string, MetricFamily>();
  /** Every name the exposition of each family takes (`namesTakenBy`), by the family's name. */
  readonly #taken = new Map<string, string>();
  /** The series keys of each family merged from several sources (built at its first merge only). */
  readonly #keys = new Map<string, Set<string>>();

  /** Adds or merges a family; false when another type of that name, or another family's name, is there. */
  add(incoming: MetricFamily): boolean {
    const existing = this.#byName.get(incoming.name);
    if (existing === undefined) {
      if (this.meets(incoming)) return false;
      this.#byName.set(incoming.name, { ...incoming, samples: [...incoming.samples] });
      for (const name of namesOf(incoming)) this.#taken.set(name, incoming.name);
      return true;
    }
    if (existing.type !== incoming.type) return false;
    // two sources of one series (a custom metric and the same at the app's metrics_url): the first
    // stays, as a second line with the same labels would be a duplicate series to Prometheus
    let seen = this.#keys.get(incoming.name);
    if (seen === undefined) {
      seen = new Set(existing.samples.map(seriesKey));
      this.#keys.set(incoming.name, seen);
    }
    for (const sample of incoming.samples) {
      const key = seriesKey(sample);
      if (!seen.has(key)) existing.samples.push(sample);
      seen.add(key);
    }
    return true;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** True when a name the exposition of `incoming` takes is taken by another family of the set. */
  meets(incoming: MetricFamily): boolean {
    for (const name of namesOf(incoming)) {
      const owner = this.#taken.get(name);
      if (owner !== undefined && owner !== incoming.name) return true;
    }
    return false;
  }

  values(): IterableIterator<MetricFamily> {
    return this.#byName.values();
  }
}

/** A sample's identity in the exposition: its name and its whole label set, sorted. */
function seriesKey(sample: Sample): string {
  const labels = { ...sample.shared, ...sample.labels };
  return JSON.stringify([
    sample.name,
    ...Object.keys(labels)
      .sort()
      .flatMap((key) => [key, labels[key]]),
  ]);
}

/** The names a family's exposition takes: those of its type, and its samples' (a scraped family's may differ). */
function namesOf(found: MetricFamily): Set<string> {
  const names = new Set(namesTakenBy(found.name, found.type));
  for (const sample of found.samples) names.add(sample.name);
  return names;
}
