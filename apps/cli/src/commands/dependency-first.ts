import type { ProcessDetail } from '@velos/core';

/**
 * SUP-12: `processes` with each app after the apps among them it `depends_on`, directly or through
 * apps of `others` (the daemon's other processes: with c → b → a, `velos start` of a namespace holding
 * a and c starts a first though b is elsewhere), their order otherwise; a cycle, only possible in
 * hand-edited state, is cut where it closes. `velos start all` starts the stopped apps one by one in
 * this order, so an app's dependencies are starting when its own start comes, and the daemon holds it
 * until they meet their conditions.
 */
export function dependenciesFirst(processes: ProcessDetail[], others: ProcessDetail[] = []): ProcessDetail[] {
  const byApp = new Map<string, ProcessDetail[]>();
  for (const p of processes) byApp.set(p.name, [...(byApp.get(p.name) ?? []), p]);
  const specs = new Map(others.map((p) => [p.name, p.spec]));
  for (const [name, group] of byApp) specs.set(name, group[0]!.spec);
  const ordered: ProcessDetail[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const spec = specs.get(name);
    if (spec === undefined || seen.has(name)) return;
    seen.add(name);
    for (const dependency of spec.dependsOn) visit(dependency.name);
    ordered.push(...(byApp.get(name) ?? []));
  };
  for (const p of processes) visit(p.name);
  return ordered;
}

/** True when an app of `processes` depends on an app that is not among them (`dependenciesFirst` needs `others`). */
export function dependsOutside(processes: ProcessDetail[]): boolean {
  const names = new Set(processes.map((p) => p.name));
  return processes.some((p) => p.spec.dependsOn.some((dependency) => !names.has(dependency.name)));
}
