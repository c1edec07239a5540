import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRule } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { alertEnv } from '../../src/alerts/alert-delivery.js';
import { createNotifier } from '../../src/alerts/alert-notifier.js';
import {
  type AlertNotification,
  batchPayloadOf,
  GROUP_TEXT_LINES,
  type GroupPayload,
  payloadOf,
} from '../../src/alerts/alert-payload.js';
import { newInstance } from '../../src/alerts/alert-state.js';
import { createTracker } from '../../src/alerts/condition-tracker.js';
import { createDeliveryHealth } from '../../src/alerts/delivery-health.js';
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

  it("masks the secrets a message quotes from an app's log line or event: a notification leaves the host", () => {
    const line =
      'api: 60 error lines in 10 s (usually 0): ERROR connect postgres://admin:hunter2@db:5432/app failed, api_key=sk_live_abcdef1234567890abcd';
    const payload = payloadOf(notification('api', line));
    const masked =
      '60 error lines in 10 s (usually 0): ERROR connect postgres://admin:****@db:5432/app failed, api_key=****';
    expect(payload.message).toBe(`api: ${masked}`);
    expect(payload.text).toBe(`[FIRING] burst (warning) api: ${masked}`);
    // a command channel's variables and a group's lines come from the same payload
    expect(alertEnv(payload).VELOS_ALERT_MESSAGE).toBe(`api: ${masked}`);
    const group = batchPayloadOf([
      notification('api', line),
      notification('worker', 'worker: deploy failed with --token ghp_abcdefghijklmnopqrstuvwxyz0123456789'),
    ]) as GroupPayload;
    expect(group.text).toBe(
      `[FIRING] burst (warning) 2 alerts\n• api: ${masked}\n• worker: deploy failed with --token ****`,
    );
    expect(JSON.stringify(group)).not.toMatch(/hunter2|sk_live|ghp_/);
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
    const held = {
      rule,
      tracker: createTracker(rule, () => true),
      instances: new Map([['api', instance]]),
      lastDelivery: null,
      untold: new Map(),
    };
    const queue = notifier.queueOf(held, { onFirstDrop: () => undefined, onDrained: () => undefined });
    const state = { ...held, queue };
    notifier.notify(state, instance, { type: 'resolved' }, now);
    expect(texts).toEqual(['[RESOLVED] burst (warning) api: resolved after 2 h 3 min (was: api burst)']);
    bus.close();
    rmSync(home, { recursive: true, force: true });
  });
});

describe('batchPayloadOf (group_interval)', () => {
  it("is the alert's own payload when the batch tells one alert (a repeat told twice included)", () => {
    const fired = notification('api', 'api: 300 error lines in 10 s (usually 2)');
    const repeated = { ...fired, repeat: 1, at: 5 };
    expect(batchPayloadOf([fired])).toEqual(payloadOf(fired));
    expect(batchPayloadOf([fired, repeated])).toEqual(payloadOf(repeated));
  });

  it('lists several alerts a line each, with the worst severity, the earliest since and each payload', () => {
    const api = { ...notification('api', 'api: 300 error lines in 10 s'), since: 10, at: 10 };
    const worker = { ...notification('worker', 'worker: 50 error lines'), since: 20, at: 20 };
    const escalated = { ...worker, severity: 'critical' as const, isEscalated: true, repeat: 3, at: 30 };
    const payload = batchPayloadOf([api, worker, escalated, notification('*', 'the daemon is degraded')]);
    expect(payload).toMatchObject({
      status: 'firing',
      rule: 'burst',
      severity: 'critical',
      app: null,
      apps: ['api', 'worker', null],
      count: 3,
      message: '3 alerts: api, worker, (no app)',
      since: 1,
      at: 30,
      repeat: 3,
      escalated: true,
    });
    expect(payload.text).toBe(
      '[FIRING] burst (critical) [escalated] 3 alerts\n• api: 300 error lines in 10 s\n• worker: 50 error lines (repeat 3)\n• the daemon is degraded',
    );
    expect((payload as GroupPayload).alerts.map((a) => a.text)).toEqual([
      payloadOf(api).text,
      payloadOf(escalated).text,
      payloadOf(notification('*', 'the daemon is degraded')).text,
    ]);
    // a command channel reads the list in one variable
    expect(alertEnv(payload)).toMatchObject({ VELOS_ALERT_APPS: 'api,worker,', VELOS_ALERT_COUNT: '3' });
    expect(alertEnv(payload)).not.toHaveProperty('VELOS_ALERT_ALERTS');
  });

  it("cuts a storm's text and message after the first alerts, saying how many more", () => {
    const storm = Array.from({ length: GROUP_TEXT_LINES + 5 }, (_, n) => notification(`app${n}`, 'down'));
    const payload = batchPayloadOf(storm) as GroupPayload;
    expect(payload.count).toBe(GROUP_TEXT_LINES + 5);
    expect(payload.text.split('\n')).toHaveLength(GROUP_TEXT_LINES + 2);
    expect(payload.text.endsWith('\n… and 5 more')).toBe(true);
    expect(payload.message.endsWith(`app${GROUP_TEXT_LINES - 1}, …`)).toBe(true);
    expect(payload.apps).toHaveLength(GROUP_TEXT_LINES + 5);
  });
});
