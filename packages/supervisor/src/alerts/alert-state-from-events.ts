import type { VelosEvent } from '@velos/core';
import type { EventBus } from '../events/event-bus.js';
import {
  ANY_FINGERPRINT,
  MAX_SAVED_ALERTS,
  MAX_SAVED_MESSAGE_CHARS,
  type SavedAlert,
  type SavedRuleAlerts,
} from './alert-state-store.js';
import { DAEMON_KEY } from './condition-tracker.js';

/** Alert events read back at most (the newest), when `alert-state.json` is missing. */
export const MAX_ALERT_EVENTS_READ = 5000;

/**
 * The alerts firing by the event log, for a home without `alert-state.json`: a daemon of a version
 * that did not keep the file (before `velos update`) published `alert.firing` and `alert.resolved`
 * all the same. An alert whose newest event is `alert.firing` was firing when that daemon stopped.
 * The events say nothing of the rule's definition, so any rule of the same name takes them.
 */
export function firingAlertsFromEvents(bus: Pick<EventBus, 'querySync'>): Map<string, SavedRuleAlerts> {
  const { events } = bus.querySync({
    kinds: ['alert.firing', 'alert.resolved'],
    limit: MAX_ALERT_EVENTS_READ,
  });
  const newest = new Map<string, VelosEvent>();
  for (const event of events) {
    const rule = event.fields?.rule;
    if (typeof rule !== 'string' || rule === '') continue;
    const id = JSON.stringify([rule, event.app ?? DAEMON_KEY]);
    newest.delete(id);
    newest.set(id, event);
  }
  const rules = new Map<string, SavedRuleAlerts>();
  let count = 0;
  // newest last: the most recent firing alerts are the ones kept within the bound
  for (const event of [...newest.values()].reverse()) {
    if (event.kind !== 'alert.firing' || count >= MAX_SAVED_ALERTS) continue;
    const rule = String(event.fields!.rule);
    const since = Number(event.fields?.since);
    const repeat = Number(event.fields?.repeat);
    const alert: SavedAlert = {
      key: event.app ?? DAEMON_KEY,
      since: Number.isFinite(since) && since > 0 ? since : event.at,
      activeSince: Number.isFinite(since) && since > 0 ? since : event.at,
      lastSentAt: event.at,
      repeats: Number.isSafeInteger(repeat) && repeat > 0 ? repeat : 0,
      escalationLevel: event.fields?.escalated === true ? 1 : 0,
      message: event.message.slice(0, MAX_SAVED_MESSAGE_CHARS),
    };
    const entry = rules.get(rule) ?? { fingerprint: ANY_FINGERPRINT, alerts: [] };
    entry.alerts.push(alert);
    rules.set(rule, entry);
    count += 1;
  }
  return rules;
}
