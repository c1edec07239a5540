import { type AlertPhase, type AlertStatus, describeRuleCondition } from './alert-rule.js';
import { isoTime } from './iso-time.js';

/** One rule the `--ai` way: name, condition, app, severity, phase, since, firing keys, last delivery. */
export interface AiAlert {
  n: string;
  w: string;
  a?: string;
  sev: string;
  st: AlertPhase;
  t?: string;
  f?: string[];
  d?: string;
}

/**
 * The `--ai` form of alert rules (`velos alerts --ai`, MCP `alerts_list`), times written by
 * `formatTime` (ISO UTC by default).
 */
export function toAiAlerts(
  alerts: AlertStatus[],
  formatTime: (epochMs: number) => string = isoTime,
): AiAlert[] {
  return alerts.map((alert) => {
    const firing = alert.instances.filter((i) => i.phase === 'firing').map((i) => i.key);
    return {
      n: alert.rule.name,
      w: describeRuleCondition(alert.rule),
      ...(alert.rule.app ? { a: alert.rule.app } : {}),
      sev: alert.rule.severity,
      st: alert.phase,
      ...(alert.since === null ? {} : { t: formatTime(alert.since) }),
      ...(firing.length ? { f: firing } : {}),
      ...(alert.lastDelivery ? { d: alertDeliveryText(alert, formatTime) } : {}),
    };
  });
}

/** A rule's last delivery: outcome, channel and time (`ok (webhook …, 10:00:00)`), `-` when none. */
export function alertDeliveryText(alert: AlertStatus, formatTime: (epochMs: number) => string): string {
  const d = alert.lastDelivery;
  if (!d) return '-';
  return `${d.isOk ? 'ok' : `failed: ${d.error ?? '?'}`} (${d.channel}, ${formatTime(d.at)})`;
}
