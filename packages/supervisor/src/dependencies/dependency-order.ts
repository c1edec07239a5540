import { type AppSpec, ErrorCodes, suggestKey, VelosError } from '@velos/core';

/**
 * Orders `items` (SUP-12) so that every app comes after the apps it `depends_on`, input order
 * otherwise. `known` holds the apps already in the daemon (an item replaces the known
 * app of its name). Strict: a dependency that is neither an item nor known, a cycle, or
 * `completed_successfully` on an app that is not a job throws `INVALID_CONFIG` in one line.
 * Lenient (restoring saved state): those dependencies are left to the dependency gate to report.
 * `missing` says where a missing dependency was looked for (default `neither in this start nor in the daemon`).
 */
export function orderByDependencies<T>(
  items: T[],
  specOf: (item: T) => AppSpec,
  known: ReadonlyMap<string, { spec: AppSpec }>,
  options: { isLenient?: boolean; missing?: string } = {},
): T[] {
  const specs = new Map([...known].map(([name, entry]) => [name, entry.spec]));
  const itemsByName = new Map<string, T>();
  for (const item of items) {
    specs.set(specOf(item).name, specOf(item));
    itemsByName.set(specOf(item).name, item);
  }
  const missing = options.missing ?? 'neither in this start nor in the daemon';
  if (!options.isLenient) for (const item of items) checkDependencies(specOf(item), specs, missing);
  const done = new Set<string>();
  const path: string[] = [];
  const ordered: T[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const at = path.indexOf(name);
    if (at >= 0) {
      if (options.isLenient) return;
      const cycle = [...path.slice(at), name].join(' -> ');
      throw new VelosError(ErrorCodes.INVALID_CONFIG, `depends_on cycle: ${cycle}`, {
        data: { cycle: [...path.slice(at), name] },
      });
    }
    path.push(name);
    for (const dependency of specs.get(name)?.dependsOn ?? []) {
      if (specs.has(dependency.name)) visit(dependency.name);
    }
    path.pop();
    done.add(name);
    const item = itemsByName.get(name);
    if (item !== undefined) ordered.push(item);
  };
  for (const item of items) visit(specOf(item).name);
  return ordered;
}

/**
 * Groups processes into stop waves (SUP-12): an app is stopped only after every app of `records`
 * that depends on it, directly or through apps outside `records` (`known`, the daemon's apps: with
 * c → b → a, `velos stop a c` stops c before a though b is not stopped); the first wave holds the apps
 * nothing else in `records` depends on. Within a wave, the latest started comes first.
 */
export function stopWaves<T extends { app: { spec: AppSpec }; spawnSeq: number }>(
  records: T[],
  known: ReadonlyMap<string, { spec: AppSpec }> = new Map(),
): T[][] {
  const byApp = new Map<string, T[]>();
  for (const record of records) {
    const name = record.app.spec.name;
    byApp.set(name, [...(byApp.get(name) ?? []), record]);
  }
  const underlying = underlyingApps(
    [...byApp.keys()],
    (name) => byApp.get(name)?.[0]?.app.spec ?? known.get(name)?.spec,
  );
  const remaining = new Set(byApp.keys());
  const waves: T[][] = [];
  while (remaining.size > 0) {
    const isNeeded = new Set<string>();
    for (const name of remaining) for (const dependency of underlying.get(name)!) isNeeded.add(dependency);
    let wave = [...remaining].filter((name) => !isNeeded.has(name));
    // A cycle (only possible in hand-edited state) must not stop the stopping: take the rest at once.
    if (wave.length === 0) wave = [...remaining];
    for (const name of wave) remaining.delete(name);
    waves.push(wave.flatMap((name) => byApp.get(name)!).sort((a, b) => b.spawnSeq - a.spawnSeq));
  }
  return waves;
}

/**
 * For each of `names`, the others of `names` it depends on directly or through any chain of
 * `depends_on` (`specOf` gives the spec of an app in or out of `names`; undefined: not in the daemon).
 */
function underlyingApps(
  names: string[],
  specOf: (name: string) => AppSpec | undefined,
): Map<string, Set<string>> {
  const selected = new Set(names);
  const underlying = new Map<string, Set<string>>();
  for (const name of names) {
    const seen = new Set<string>();
    const pending = [name];
    while (pending.length > 0) {
      for (const dependency of specOf(pending.pop()!)?.dependsOn ?? []) {
        if (seen.has(dependency.name)) continue;
        seen.add(dependency.name);
        pending.push(dependency.name);
      }
    }
    underlying.set(name, new Set([...seen].filter((other) => other !== name && selected.has(other))));
  }
  return underlying;
}

/**
 * For `depends_on` entries that name no known app, the app each was likely meant to name (`dbb` for
 * `db`, as `suggestKey` judges it) among `names` but the depending app itself; null when none is close.
 * Shared by the start and reload check below and `velos config validate`, which asks it for every
 * dependency outside a file: names are indexed by what is left of them after up to two deletions (two
 * edits, a swap of neighbours among them, always leave the two words such a remainder in common), so a
 * file of 1000 apps each naming an app outside it is not a million comparisons (it was seconds).
 */
export function dependencySuggester(
  names: Iterable<string>,
): (app: string, dependency: string) => string | null {
  const byRemainder = new Map<string, string[]>();
  const long: string[] = [];
  for (const name of names) {
    if (name.length > INDEXED_LENGTH) long.push(name);
    else
      for (const rest of remainders(name.toLowerCase())) {
        const named = byRemainder.get(rest);
        if (named === undefined) byRemainder.set(rest, [name]);
        else named.push(name);
      }
  }
  return (app, dependency) => {
    const near = new Set(long);
    if (dependency.length <= INDEXED_LENGTH + 2)
      for (const rest of remainders(dependency.toLowerCase()))
        for (const name of byRemainder.get(rest) ?? []) near.add(name);
    near.delete(app);
    return near.size === 0 ? null : suggestKey(dependency, [...near]);
  };
}

/** Names longer than this are compared one by one (their remainders would be many); app names are short. */
const INDEXED_LENGTH = 40;

/** `word` and every word left of it by deleting one or two of its characters. */
function remainders(word: string): Set<string> {
  const found = new Set([word]);
  for (let i = 0; i < word.length; i += 1) {
    const once = word.slice(0, i) + word.slice(i + 1);
    found.add(once);
    for (let j = i; j < once.length; j += 1) found.add(once.slice(0, j) + once.slice(j + 1));
  }
  return found;
}

function checkDependencies(spec: AppSpec, specs: ReadonlyMap<string, AppSpec>, missing: string): void {
  for (const dependency of spec.dependsOn) {
    const target = specs.get(dependency.name);
    if (!target) {
      const meant = dependencySuggester(specs.keys())(spec.name, dependency.name);
      const hint = meant === null ? '' : ` (did you mean '${meant}'?)`;
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `app '${spec.name}': depends_on '${dependency.name}', which is ${missing}${hint}`,
        { data: { name: spec.name, dependency: dependency.name } },
      );
    }
    if (dependency.condition === 'completed_successfully' && target.type !== 'job') {
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `app '${spec.name}': depends_on '${dependency.name}' with condition completed_successfully, but '${dependency.name}' is not a job (type: job)`,
        { data: { name: spec.name, dependency: dependency.name } },
      );
    }
  }
}
