import type { ProcessDetail } from '@velos/core';

/**
 * SUP-12: `processes` with each app after the apps among them it `depends_on` (their order otherwise;
 * a cycle, only possible in hand-edited state, is cut where it closes): `velos start all` starts the
 * stopped apps one by one in this order, so an app's dependencies are starting when its own start
 * comes, and the daemon holds it until they meet their conditions.
 */
export function dependenciesFirst(processes: ProcessDetail[]): ProcessDetail[] {
  const byApp = new Map<string, ProcessDetail[]>();
  for (const p of processes) byApp.set(p.name, [...(byApp.get(p.name) ?? []), p]);
  const ordered: ProcessDetail[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const group = byApp.get(name);
    if (group === undefined || seen.has(name)) return;
    seen.add(name);
    for (const dependency of group[0]!.spec.dependsOn) visit(dependency.name);
    ordered.push(...group);
  };
  for (const p of processes) visit(p.name);
  return ordered;
}
