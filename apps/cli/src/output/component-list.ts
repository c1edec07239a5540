import type { ReportedComponent } from '@velos/core';
import { formatAgo } from '@velos/core/ai';
import type { Colors } from './colors.js';
import { type Cell, type Column, renderTable } from './table.js';
import { formatMs } from './units.js';

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
