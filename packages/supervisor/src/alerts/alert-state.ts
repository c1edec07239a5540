import type { AlertInstance, AlertRule, EventSeverity } from '@velos/core';

/** A rule's alert for one key, as the engine keeps it. */
export interface InstanceState extends AlertInstance {
  /** When the condition began to hold (pending and firing). */
  activeSince: number;
  /** When the latest firing notification was sent. */
  lastSentAt: number;
  /** When it began firing (the `since` of its notifications, the resolved one too). */
  firingSince: number;
}

/** What a step of the state machine asks the engine to send. */
export type Transition =
  | { type: 'firing'; repeat: number; isEscalation: boolean }
  | { type: 'resolved' }
  | null;

/** The severity notifications of `instance` carry (the escalation's from its escalation on). */
export function severityOf(rule: AlertRule, instance: AlertInstance): EventSeverity {
  return instance.escalationLevel > 0 ? (rule.escalation?.severity ?? rule.severity) : rule.severity;
}

/**
 * One step of a rule's alert for one key: `message` is the reason while the condition holds, null
 * when it does not. Pure apart from updating `instance`; returns what to send, if anything.
 */
export function step(
  rule: AlertRule,
  instance: InstanceState,
  message: string | null,
  now: number,
): Transition {
  const isActive = message !== null;
  if (message !== null) instance.message = message;
  untilNow(instance, now);
  switch (instance.phase) {
    case 'ok':
    case 'resolved':
      if (!isActive) return null;
      enter(instance, 'pending', now);
      instance.activeSince = now;
      instance.repeats = 0;
      instance.escalationLevel = 0;
      return rule.forMs === 0 ? fire(instance, now) : null;
    case 'pending':
      if (!isActive) {
        enter(instance, 'ok', now);
        return null;
      }
      return now - instance.activeSince >= rule.forMs ? fire(instance, now) : null;
    case 'firing': {
      if (!isActive) {
        enter(instance, 'resolved', now);
        return { type: 'resolved' };
      }
      const escalation = rule.escalation;
      const isRepeatDue = rule.repeatMs !== undefined && now - instance.lastSentAt >= rule.repeatMs;
      // after N repeats unanswered, the escalation goes out when the next repeat falls due, in its
      // place: one notification, never the N-th repeat and the escalation at once
      if (
        escalation &&
        instance.escalationLevel === 0 &&
        ((escalation.afterRepeats !== undefined &&
          instance.repeats >= escalation.afterRepeats &&
          isRepeatDue) ||
          (escalation.afterMs !== undefined && now - instance.since >= escalation.afterMs))
      ) {
        instance.escalationLevel = 1;
        instance.lastSentAt = now;
        // one that falls at a repeat's time is that repeat, and takes its number
        if (isRepeatDue) instance.repeats += 1;
        return { type: 'firing', repeat: instance.repeats, isEscalation: true };
      }
      if (isRepeatDue) {
        instance.repeats += 1;
        instance.lastSentAt = now;
        return { type: 'firing', repeat: instance.repeats, isEscalation: false };
      }
      return null;
    }
  }
}

/**
 * After the clock stepped back (NTP correcting a fast clock, a VM resumed from a snapshot), a time of
 * `instance` later than now is taken as now: it would hold a repeat, a `for` or an escalation until the
 * clock came back to it, hours later.
 */
function untilNow(instance: InstanceState, now: number): void {
  if (instance.lastSentAt > now) instance.lastSentAt = now;
  if (instance.activeSince > now) instance.activeSince = now;
  if (instance.since > now) instance.since = now;
  if (instance.firingSince > now) instance.firingSince = now;
}

/** A new alert of `key`, not holding. */
export function newInstance(key: string, now: number): InstanceState {
  return {
    key,
    phase: 'ok',
    since: now,
    repeats: 0,
    escalationLevel: 0,
    message: '',
    activeSince: now,
    lastSentAt: 0,
    firingSince: now,
  };
}

function fire(instance: InstanceState, now: number): Transition {
  enter(instance, 'firing', now);
  instance.lastSentAt = now;
  instance.firingSince = now;
  return { type: 'firing', repeat: 0, isEscalation: false };
}

function enter(instance: InstanceState, phase: InstanceState['phase'], now: number): void {
  instance.phase = phase;
  instance.since = now;
}
