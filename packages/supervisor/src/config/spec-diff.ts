import type { AppSpec } from '@velos/core';

/** CFG-2: how the apps of a config file differ from the apps linked to it. */
export interface SpecDiff {
  added: AppSpec[];
  removed: AppSpec[];
  changed: { before: AppSpec; after: AppSpec }[];
  unchanged: AppSpec[];
}

/** Compares the specs linked to a file (`current`) with the specs the file now gives (`next`), by name. */
export function diffSpecs(current: readonly AppSpec[], next: readonly AppSpec[]): SpecDiff {
  const before = new Map(current.map((spec) => [spec.name, spec]));
  const diff: SpecDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const spec of next) {
    const old = before.get(spec.name);
    before.delete(spec.name);
    if (!old) diff.added.push(spec);
    else if (isSameSpec(old, spec)) diff.unchanged.push(old);
    else diff.changed.push({ before: old, after: spec });
  }
  diff.removed.push(...before.values());
  return diff;
}

/** True when two specs run the same way (the link to the file, `source`, is not compared). */
export function isSameSpec(a: AppSpec, b: AppSpec): boolean {
  const { source: _a, ...restA } = a;
  const { source: _b, ...restB } = b;
  return stableJson(restA) === stableJson(restB);
}

/** JSON of a value with the keys of its objects sorted: equal for equal specs, whatever the key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : inner,
  );
}
