import type { AppSpec } from '@velos/core';

/** An app of the file that `--only` left out and a selected app needs, with the app that needs it. */
export interface OnlyDependency {
  name: string;
  dependent: string;
}

/**
 * The apps of `all` that the `selected` apps depend on, directly or through one another, and that are
 * not selected themselves, as `docker compose up api` starts api's dependencies; a name the file lacks
 * is left to the daemon (an app it has already, else the start's one-line refusal).
 */
export function onlyDependencies(selected: readonly AppSpec[], all: readonly AppSpec[]): OnlyDependency[] {
  const byName = new Map(all.map((spec) => [spec.name, spec]));
  const seen = new Set(selected.map((spec) => spec.name));
  const added: OnlyDependency[] = [];
  const queue = [...selected];
  for (let spec = queue.shift(); spec !== undefined; spec = queue.shift()) {
    for (const dependency of spec.dependsOn) {
      const needed = byName.get(dependency.name);
      if (needed === undefined || seen.has(needed.name)) continue;
      seen.add(needed.name);
      added.push({ name: needed.name, dependent: spec.name });
      queue.push(needed);
    }
  }
  return added;
}

/** The line that says why an app `--only` left out starts all the same: `also starting db (api depends on it)`. */
export function onlyDependencyLine(added: OnlyDependency): string {
  return `also starting ${added.name} (${added.dependent} depends on it)`;
}
