import type { ComponentStatus, ReportedComponent } from '@velos/core';
import type { Colors } from './colors.js';
import { type Cell, type Column, renderTable } from './table.js';
import { formatMs } from './units.js';

/** One reported component the `--ai` way: name, status, stale, app, message, interval, last report ago. */
export interface AiComponent {
  n: string;
  s: ComponentStatus;
  stale?: true;
  a?: string;
  m?: string;
  iv: string;
  ago: string;
}

/** The `velos components` table: one row per component, stale ones marked in the status column. */
export function renderComponentTable(
  components: ReportedComponent[],
  colors: Colors,
  now = Date.now(),
): string {
  if (components.length === 0)
    return 'no component reports (a job or plugin reports with velos components report <name> --interval 5m --status healthy)';
  const columns: Column[] = [
    { header: 'component' },
    { header: 'status' },
    { header: 'app' },
    { header: 'interval', align: 'right' },
    { header: 'last report', align: 'right' },
    { header: 'message' },
  ];
  const rows = components.map((component): Cell[] => [
    { text: component.name, paint: colors.bold },
    componentStatusCell(component, colors),
    { text: component.app ?? '-' },
    { text: formatMs(component.intervalMs) },
    { text: `${formatAgo(now - component.lastReportAt)} ago` },
    { text: component.message ?? '' },
  ]);
  return renderTable(columns, rows, colors.bold);
}

/** The status cell of a component: `stale (healthy)` in red when stale, else its status in its colour. */
export function componentStatusCell(component: ReportedComponent, colors: Colors): Cell {
  if (component.isStale) return { text: `stale (${component.status})`, paint: colors.red };
  const paint = { healthy: colors.green, degraded: colors.yellow, unhealthy: colors.red }[component.status];
  return { text: component.status, paint };
}

/** The `--ai` form of the components. */
export function toAiComponents(components: ReportedComponent[], now = Date.now()): AiComponent[] {
  return components.map((component) => ({
    n: component.name,
    s: component.status,
    ...(component.isStale ? { stale: true as const } : {}),
    ...(component.app === undefined ? {} : { a: component.app }),
    ...(component.message === undefined ? {} : { m: component.message }),
    iv: formatMs(component.intervalMs),
    ago: formatAgo(now - component.lastReportAt),
  }));
}

/** A time ago in whole seconds or above (`0s`, `42s`, `3m`, `2.5h`…). */
function formatAgo(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.round(seconds / 360) / 10}h`;
  return `${Math.round(seconds / 8640) / 10}d`;
}
