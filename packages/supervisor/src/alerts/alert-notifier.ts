import { type AlertChannel, type AlertDelivery, type AlertRule, formatElapsedMs } from '@velos/core';
import type { EventBus } from '../events/event-bus.js';
import { channelKey, channelLabel, deliverPayload } from './alert-delivery.js';
import { type AlertNotification, batchPayloadOf, payloadOf } from './alert-payload.js';
import { type InstanceState, severityOf, type Transition } from './alert-state.js';
import type { ConditionTracker } from './condition-tracker.js';
import type { DeliveryHealth } from './delivery-health.js';
import {
  createDeliveryQueue,
  type DeliveryQueue,
  type DropReport,
  type QueuedNotification,
} from './delivery-queue.js';
import { markUntold, type UntoldByKey } from './untold-notifications.js';

/** A notification waiting for the channels it goes to. */
export interface PendingNotification extends QueuedNotification {
  channels: AlertChannel[];
  notification: AlertNotification;
  /** Called once it is sent, failed or dropped: it is no longer untold (`markUntold`). */
  settle: () => void;
}

/** A rule as the engine holds it: its tracker, its alert per key, its deliveries in order. */
export interface RuleState {
  rule: AlertRule;
  tracker: ConditionTracker;
  instances: Map<string, InstanceState>;
  lastDelivery: AlertDelivery | null;
  /** Its notifications not sent yet, by alert key: what the next daemon sends if this one stops first. */
  untold: UntoldByKey;
  /** The rule's deliveries, one after another (a resolved one never overtakes its firing one), bounded. */
  queue: DeliveryQueue<PendingNotification, AlertDelivery[]>;
}

/** Tells the event log and the channels of a rule what happened. */
export interface Notifier {
  /** Publishes `alert.firing`/`alert.resolved` and sends the notification to the rule's channels. */
  notify(state: RuleState, instance: InstanceState, transition: Exclude<Transition, null>, now: number): void;
  /**
   * Sends `notification` through `channels` after the rule's earlier deliveries (a test at once);
   * resolves each outcome.
   */
  send(state: RuleState, channels: AlertChannel[], notification: AlertNotification): Promise<AlertDelivery[]>;
  /**
   * Sends again, to the channels only (the event log has it), the latest notification of an alert a
   * previous daemon had not sent when it stopped (restored firing or resolved).
   */
  retell(state: RuleState, instance: InstanceState): void;
  /** The delivery queue of a rule's state (grouped by its `groupIntervalMs`); drops go to `report`. */
  queueOf(
    state: Omit<RuleState, 'queue'>,
    report: DropReport,
  ): DeliveryQueue<PendingNotification, AlertDelivery[]>;
}

/** Creates the notifier; every outcome goes to `health`, every failure to `log`. */
export function createNotifier(options: {
  bus: EventBus;
  log: (line: string) => void;
  health: DeliveryHealth;
  /** After a rule's deliveries ended (its `lastDelivery` is set): the engine saves it for the next daemon. */
  onDelivered?: () => void;
}): Notifier {
  /** Sends one notification, or a rule's batch of them as one (`batchPayloadOf`), through `channels`. */
  const deliverAll = async (
    state: Omit<RuleState, 'queue'>,
    channels: AlertChannel[],
    notifications: AlertNotification[],
    settle: () => void = () => undefined,
  ): Promise<AlertDelivery[]> => {
    const payload = notifications.length === 1 ? payloadOf(notifications[0]!) : batchPayloadOf(notifications);
    const results = await Promise.all(channels.map((channel) => deliverPayload(channel, payload)));
    // told (or failed for good) before the state is saved below
    settle();
    for (const [index, result] of results.entries()) {
      options.health.record(channelKey(channels[index]!), result);
      state.lastDelivery = result;
      if (!result.isOk) {
        options.log(
          `alert ${state.rule.name}: ${result.channel} failed after ${result.attempts} attempt(s): ${result.error}`,
        );
      }
    }
    if (results.length > 0) options.onDelivered?.();
    return results;
  };
  const send: Notifier['send'] = (state, channels, notification) => {
    // a test is about the channels now: it waits for no firing or resolved notification of the rule
    if (notification.status === 'test') return deliverAll(state, channels, [notification]);
    const { key, status } = notification;
    const batch = JSON.stringify(channels.map(channelKey));
    // the event log alone needs no sending: nothing is untold
    const settle =
      channels.length > 0 ? markUntold(state.untold, key, status, notification.repeat) : () => {};
    return state.queue.push({ key, status, batch, channels, notification, settle });
  };
  const queueOf: Notifier['queueOf'] = (state, report) =>
    createDeliveryQueue<PendingNotification, AlertDelivery[]>({
      report,
      // a batch holds notifications of one set of channels (`batch`)
      send: (items) =>
        deliverAll(
          state,
          items[0]!.channels,
          items.map((item) => item.notification),
          () => {
            for (const item of items) item.settle();
          },
        ),
      dropped: (item) => {
        item.settle();
        return item.channels.map((channel) => ({
          at: Date.now(),
          channel: channelLabel(channel),
          isOk: false,
          attempts: 0,
          error: 'dropped unsent: newer notifications of the rule were waiting behind a failing channel',
        }));
      },
      ...(state.rule.groupIntervalMs ? { groupIntervalMs: state.rule.groupIntervalMs } : {}),
    });

  return {
    send,
    queueOf,
    notify(state, instance, transition, now) {
      const { rule } = state;
      const isResolved = transition.type === 'resolved';
      const notification = notificationOf(rule, instance, transition.type, now);
      const payload = payloadOf(notification);
      options.bus.publish({
        kind: isResolved ? 'alert.resolved' : 'alert.firing',
        // in the event log a resolution is good news, whatever resolved
        severity: isResolved ? 'info' : notification.severity,
        app: instance.key === '*' ? undefined : instance.key,
        message: payload.text,
        fields: {
          rule: rule.name,
          condition: payload.condition,
          repeat: payload.repeat,
          escalated: payload.escalated,
          since: payload.since,
        },
      });
      send(state, channelsOf(rule, instance.escalationLevel > 0), notification);
    },
    retell(state, instance) {
      const isResolved = instance.phase === 'resolved';
      // made again as it was made then: `at` is when the lost one was
      const at = isResolved ? instance.since : instance.lastSentAt;
      const notification = notificationOf(state.rule, instance, isResolved ? 'resolved' : 'firing', at);
      void send(state, channelsOf(state.rule, instance.escalationLevel > 0), notification);
    },
  };
}

/** The notification of `instance` now firing (its first, a repeat or the escalation) or resolved, made at `at`. */
function notificationOf(
  rule: AlertRule,
  instance: InstanceState,
  status: 'firing' | 'resolved',
  at: number,
): AlertNotification {
  const isResolved = status === 'resolved';
  return {
    status,
    rule,
    key: instance.key,
    // a resolved notification carries the severity of what resolved (the escalation's once escalated)
    severity: severityOf(rule, instance),
    message: isResolved
      ? `resolved after ${formatElapsedMs(at - instance.firingSince)} (was: ${instance.message})`
      : instance.message,
    since: instance.firingSince,
    at,
    // a firing transition's repeat is the alert's count of repeats (0 for its first)
    repeat: instance.repeats,
    isEscalated: instance.escalationLevel > 0,
  };
}

/** The channels a notification goes to: the rule's, and once escalated the escalation's too. */
export function channelsOf(rule: AlertRule, isEscalated: boolean): AlertChannel[] {
  return isEscalated && rule.escalation ? [...rule.channels, ...rule.escalation.channels] : rule.channels;
}
