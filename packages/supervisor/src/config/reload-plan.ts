import { basename } from 'node:path';
import { type AppSpec, ErrorCodes, isVelosError, VelosError } from '@velos/core';
import { orderByDependencies } from '../dependencies/dependency-order.js';
import type { SpecDiff } from './spec-diff.js';

/** One step of a config reload: apps deleted, apps added (started in one go), or one app given its new spec. */
export type ReloadStep =
  | { kind: 'remove'; spec: AppSpec }
  | { kind: 'add'; specs: AppSpec[] }
  | { kind: 'change'; before: AppSpec; after: AppSpec };

/**
 * CFG-2: checks the apps the daemon would hold once `file` is applied (the file's apps, `next`, beside
 * the daemon's apps of other origins, `others`) and orders the steps that get there: removals first
 * (dependents before what they depend on), then additions and changes so that every app's
 * dependencies exist before it starts. A dependency that would be missing, a cycle, or an app
 * outside the file that depends on a removed one throws `INVALID_CONFIG` before anything changed.
 */
export function planReload(
  file: string,
  diff: SpecDiff,
  next: readonly AppSpec[],
  others: readonly AppSpec[],
): ReloadStep[] {
  const known = new Map(others.map((spec) => [spec.name, { spec }]));
  let ordered: AppSpec[];
  try {
    checkRemovals(next, others, new Set(diff.removed.map((spec) => spec.name)));
    ordered = orderByDependencies([...next], (spec) => spec, known, {
      missing: 'neither in this file nor in the daemon',
    });
  } catch (error) {
    if (!isVelosError(error)) throw error;
    const data = typeof error.data === 'object' && error.data !== null ? error.data : {};
    throw new VelosError(error.code, `${basename(file)}: ${error.message}`, { data: { ...data, file } });
  }
  const steps: ReloadStep[] = [];
  // lenient: the removed apps were valid together, their order only has to put dependents first
  const removals = orderByDependencies(diff.removed, (spec) => spec, new Map(), { isLenient: true });
  for (const spec of removals.reverse()) steps.push({ kind: 'remove', spec });
  const added = new Set(diff.added.map((spec) => spec.name));
  const changed = new Map(diff.changed.map((change) => [change.after.name, change]));
  for (const spec of ordered) {
    const change = changed.get(spec.name);
    const last = steps.at(-1);
    if (change) steps.push({ kind: 'change', ...change });
    else if (!added.has(spec.name)) continue;
    else if (last?.kind === 'add') last.specs.push(spec);
    else steps.push({ kind: 'add', specs: [spec] });
  }
  return steps;
}

/**
 * CFG-2 `config set`: checks the `depends_on` of an app's new spec against the daemon's other apps
 * (`others`), before the app is touched: a missing dependency or a cycle throws `INVALID_CONFIG`.
 */
export function checkChangedApp(after: AppSpec, others: readonly AppSpec[]): void {
  const known = new Map(
    others.filter((spec) => spec.name !== after.name).map((spec) => [spec.name, { spec }]),
  );
  orderByDependencies([after], (spec) => spec, known, { missing: 'not in the daemon' });
}

/** An app, of the file or not, that depends on an app the file no longer has: named as such. */
function checkRemovals(
  next: readonly AppSpec[],
  others: readonly AppSpec[],
  removed: ReadonlySet<string>,
): void {
  for (const spec of [...next, ...others]) {
    const lost = spec.dependsOn.find((dependency) => removed.has(dependency.name));
    if (!lost) continue;
    const fix = next.includes(spec)
      ? `keep '${lost.name}' in the file or drop the dependency`
      : `'${spec.name}' is not from this file: keep '${lost.name}' in the file or change '${spec.name}' first`;
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `app '${spec.name}': depends_on '${lost.name}', which this file no longer has (the reload would delete it); ${fix}`,
      { data: { name: spec.name, dependency: lost.name } },
    );
  }
}
