import type { ComponentHealth, ComponentStatus, DaemonHealth } from '@velos/core';
import { toAiComponents } from '@velos/core/ai';
import type { Colors } from './colors.js';
import { componentStatusCell } from './component-list.js';
import { renderTable } from './table.js';

/** The text form of `velos health`: the overall status, then one row per component. */
export function renderHealth(health: DaemonHealth, colors: Colors): string {
  const paint = painterOf(colors);
  const rows = health.components.map((component) => [
    { text: component.name },
    { text: component.status, paint: paint[component.status] },
    { text: component.reason ?? '' },
  ]);
  const table = renderTable(
    [{ header: 'component' }, { header: 'status' }, { header: 'reason' }],
    rows,
    colors.bold,
  );
  const daemon = `daemon ${paint[health.status](health.status)}\n${table}`;
  const reported = health.reported ?? [];
  if (reported.length === 0) return daemon;
  // outside components, apart: they never make the daemon's status
  const reportedRows = reported.map((component) => [
    { text: component.name },
    componentStatusCell(component, colors),
    { text: component.message ?? '' },
  ]);
  const reportedTable = renderTable(
    [{ header: 'reported' }, { header: 'status' }, { header: 'message' }],
    reportedRows,
    colors.bold,
  );
  return `${daemon}\n\n${reportedTable}`;
}

/**
 * The `--ai` form: status, and only the components that are not healthy (name, status, reason); `rep`
 * the reported outside components that are stale or not healthy, `repOk` the others' names.
 */
export function toAiHealth(health: DaemonHealth): {
  s: ComponentStatus;
  bad?: { n: string; s: ComponentStatus; r?: string }[];
  ok: string[];
  rep?: ReturnType<typeof toAiComponents>;
  repOk?: string[];
} {
  const isBad = (component: ComponentHealth): boolean => component.status !== 'healthy';
  const bad = health.components.filter(isBad).map((c) => ({ n: c.name, s: c.status, r: c.reason }));
  return {
    s: health.status,
    // empty is left out, as everywhere in --ai
    ...(bad.length > 0 ? { bad } : {}),
    ok: health.components.filter((c) => !isBad(c)).map((c) => c.name),
    ...reportedOf(health),
  };
}

function reportedOf(health: DaemonHealth): { rep?: ReturnType<typeof toAiComponents>; repOk?: string[] } {
  const reported = health.reported ?? [];
  const bad = reported.filter((c) => c.isStale || c.status !== 'healthy');
  const ok = reported.filter((c) => !bad.includes(c)).map((c) => c.name);
  return {
    ...(bad.length > 0 ? { rep: toAiComponents(bad, health.at) } : {}),
    ...(ok.length > 0 ? { repOk: ok } : {}),
  };
}

function painterOf(colors: Colors): Record<ComponentStatus, (text: string) => string> {
  return { healthy: colors.green, degraded: colors.yellow, unhealthy: colors.red };
}
