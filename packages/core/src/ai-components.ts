import { formatSpanMs } from './alert-rule.js';
import type { ReportedComponent } from './component-report.js';
import type { ComponentStatus } from './daemon-health.js';

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

/**
 * Reported outside components in short keys, as `velos components --ai`, the `rep` of `velos health
 * --ai` and of the MCP tool `health_check` give them; `now` the time their `ago` is counted from.
 */
export function toAiComponents(components: readonly ReportedComponent[], now = Date.now()): AiComponent[] {
  return components.map((component) => ({
    n: component.name,
    s: component.status,
    ...(component.isStale ? { stale: true as const } : {}),
    ...(component.app === undefined ? {} : { a: component.app }),
    ...(component.message === undefined ? {} : { m: component.message }),
    iv: formatSpanMs(component.intervalMs),
    ago: formatAgo(now - component.lastReportAt),
  }));
}

/** A time ago in whole seconds or above (`0s`, `42s`, `3m`, `2.5h`…): a component's last report. */
export function formatAgo(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.round(seconds / 360) / 10}h`;
  return `${Math.round(seconds / 8640) / 10}d`;
}
