import type { AlertRule } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { type AlertNotification, payloadOf } from '../../src/alerts/alert-payload.js';

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
});
