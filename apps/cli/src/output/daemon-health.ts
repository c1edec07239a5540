import type { ComponentHealth, ComponentStatus, DaemonHealth } from '@velos/core';
import type { Colors } from './colors.js';
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
  return `daemon ${paint[health.status](health.status)}\n${table}`;
}

/** The `--ai` form: status, and only the components that are not healthy (name, status, reason). */
export function toAiHealth(health: DaemonHealth): {
  s: ComponentStatus;
  bad?: { n: string; s: ComponentStatus; r?: string }[];
  ok: string[];
} {
  const isBad = (component: ComponentHealth): boolean => component.status !== 'healthy';
  const bad = health.components.filter(isBad).map((c) => ({ n: c.name, s: c.status, r: c.reason }));
  return {
    s: health.status,
    // empty is left out, as everywhere in --ai
    ...(bad.length > 0 ? { bad } : {}),
    ok: health.components.filter((c) => !isBad(c)).map((c) => c.name),
  };
}

function painterOf(colors: Colors): Record<ComponentStatus, (text: string) => string> {
  return { healthy: colors.green, degraded: colors.yellow, unhealthy: colors.red };
}
