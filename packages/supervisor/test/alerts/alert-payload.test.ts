import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRule } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/alerts/alert-notifier.js';
import { type AlertNotification, payloadOf } from '../../src/alerts/alert-payload.js';
import { newInstance } from '../../src/alerts/alert-state.js';
import { createTracker } from '../../src/alerts/condition-tracker.js';
import { createDeliveryHealth } from '../../src/alerts/delivery-health.js';
import { createDeliveryQueue } from '../../src/alerts/delivery-queue.js';
import { createEventBus } from '../../src/events/event-bus.js';

const rule: AlertRule = {
  name: 'burst',
  when: { kind: 'log', signal: 'error_burst' },
  severity: 'warning',
  forMs: 0,
  resolveAfterMs: 60_000,
  channels: [],
  source: 'runtime',
};

function notification(key: string, message: string): AlertNotification {
  return {
    status: 'firing',
    rule,
    key,
    severity: 'warning',
    message,
    since: 1,
    at: 1,
    repeat: 0,
    isEscalated: false,
  };
}

describe('payloadOf', () => {
  it('names the app once in the text when the message begins with it (the log engine events do)', () => {
    const payload = payloadOf(notification('api', 'api: 300 error lines in 10 s (usually 2)'));
    expect(payload.text).toBe('[FIRING] burst (warning) api: 300 error lines in 10 s (usually 2)');
    // the message itself is kept as the event said it
    expect(payload.message).toBe('api: 300 error lines in 10 s (usually 2)');
  });

  it('keeps a message that only looks like it (another app, no colon)', () => {
    expect(payloadOf(notification('api', 'api-2: down')).text).toBe(
      '[FIRING] burst (warning) api: api-2: down',
    );
    expect(payloadOf(notification('api', 'api restarted 3 times')).text).toBe(
      '[FIRING] burst (warning) api: api restarted 3 times',
    );
    expect(payloadOf(notification('*', 'api: x')).text).toBe('[FIRING] burst (warning) api: x');
  });

  it("gives the rule's whole condition, its `for` included", () => {
    const held = {
      ...notification('api', 'api (id 1) is unhealthy'),
      rule: { ...rule, when: { kind: 'unhealthy' as const }, forMs: 30_000 },
    };
    expect(payloadOf(held).condition).toBe('unhealthy for 30s');
    expect(payloadOf(notification('api', 'x')).condition).toBe('log error_burst');
  });

  it('says how long a resolved alert fired the way people say it (`2 h 3 min`, not `7384 s`)', () => {
    const home = mkdtempSync(join(tmpdir(), 'velos-alert-payload-'));
    const bus = createEventBus({ path: join(home, 'events.jsonl') });
    const texts: string[] = [];
    bus.published.subscribe((event) => texts.push(event.message));
    const notifier = createNotifier({ bus, log: () => undefined, health: createDeliveryHealth() });
    const now = 1_800_000_000_000;
    const instance = { ...newInstance('api', now), phase: 'resolved' as const, message: 'api burst' };
    instance.firingSince = now - 7_384_000;
    const state = {
      rule,
      tracker: createTracker(rule, () => true),
      instances: new Map([['api', instance]]),
      lastDelivery: null,
      queue: createDeliveryQueue({ onFirstDrop: () => undefined, onDrained: () => undefined }),
    };
    notifier.notify(state, instance, { type: 'resolved' }, now);
    expect(texts).toEqual(['[RESOLVED] burst (warning) api: resolved after 2 h 3 min (was: api burst)']);
    bus.close();
    rmSync(home, { recursive: true, force: true });
  });
});
