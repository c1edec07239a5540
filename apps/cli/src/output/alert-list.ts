import { type AlertPhase, type AlertStatus, describeRuleCondition, formatElapsedMs } from '@velos/core';
import { alertDeliveryText } from '@velos/core/ai';
import type { Colors } from './colors.js';
import { eventTime } from './events.js';
import { escapeControlChars } from './log-line.js';
import { type Cell, type Column, renderTable } from './table.js';

/** The `velos alerts` table: one row per rule; control characters in its texts are shown as `\xHH`. */
export function renderAlertTable(alerts: AlertStatus[], colors: Colors, now = Date.now()): string {
  if (alerts.length === 0)
    return 'no alert rules (add one with velos alerts add, or [[alerts]] in a config file)';
  const columns: Column[] = [
    { header: 'name' },
    { header: 'when' },
    { header: 'app' },
    { header: 'severity' },
    { header: 'state' },
    { header: 'since', align: 'right' },
    { header: 'last delivery' },
  ];
  // a delivery error is the last stderr line of a program, an app key a name: shown as `\xHH`, never acted on
  const rows = alerts.map((alert): Cell[] => [
    { text: alert.rule.name, paint: colors.bold },
    { text: describeRuleCondition(alert.rule) },
    { text: alert.rule.app ?? 'all' },
    { text: alert.rule.severity },
    { text: stateText(alert), paint: phasePaint(alert.phase, colors) },
    { text: alert.since === null ? '-' : `${formatElapsedMs(now - alert.since)} ago` },
    {
      text: alertDeliveryText(alert, (at) => eventTime(at, now)),
      paint: alert.lastDelivery && !alert.lastDelivery.isOk ? colors.red : undefined,
    },
  ]);
  for (const row of rows) for (const cell of row) cell.text = escapeControlChars(cell.text);
  return renderTable(columns, rows, colors.dim);
}

function stateText(alert: AlertStatus): string {
  const firing = alert.instances.filter((i) => i.phase === 'firing');
  if (alert.phase !== 'firing') return alert.phase;
  const keys = firing.map((i) => (i.key === '*' ? 'daemon' : i.key));
  const escalated = firing.some((i) => i.escalationLevel > 0) ? ', escalated' : '';
  return `firing (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? '…' : ''}${escalated})`;
}

function phasePaint(phase: AlertPhase, colors: Colors): ((text: string) => string) | undefined {
  if (phase === 'firing') return colors.red;
  if (phase === 'pending') return colors.yellow;
  if (phase === 'resolved') return colors.green;
  return undefined;
}
