import type { HistogramData } from '@velos/core';

/** The Prometheus metric types a family may have in the text exposition. */
export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One line of a family: its full name (`x`, `x_bucket`, `x_sum`…), labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

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

/** Adds the samples of one histogram (cumulative buckets, sum, count) under `labels`. */
export function pushHistogram(
  target: MetricFamily,
  labels: Record<string, string>,
  data: HistogramData,
): void {
  let sawInf = false;
  data.bounds.forEach((bound, index) => {
    // Over JSON/msgpack the +Inf bound may arrive as null.
    const isInf = bound === null || bound === Number.POSITIVE_INFINITY;
    sawInf ||= isInf;
    const le = isInf ? '+Inf' : String(bound);
    target.samples.push({
      name: `${target.name}_bucket`,
      labels: { ...labels, le },
      value: data.counts[index] ?? 0,
    });
  });
  if (!sawInf) {
    target.samples.push({
      name: `${target.name}_bucket`,
      labels: { ...labels, le: '+Inf' },
      value: data.count,
    });
  }
  target.samples.push({ name: `${target.name}_sum`, labels, value: data.sum });
  target.samples.push({ name: `${target.name}_count`, labels, value: data.count });
}

/** Families by name: samples of a family seen again are appended; a clash of types is refused. */
export class FamilySet {
  readonly #byName = new Map<string, MetricFamily>();

  /** Adds or merges a family; false when a family of that name but another type is already there. */
  add(incoming: MetricFamily): boolean {
    const existing = this.#byName.get(incoming.name);
    if (existing === undefined) {
      this.#byName.set(incoming.name, { ...incoming, samples: [...incoming.samples] });
      return true;
    }
    if (existing.type !== incoming.type) return false;
    existing.samples.push(...incoming.samples);
    return true;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  values(): IterableIterator<MetricFamily> {
    return this.#byName.values();
  }
}
