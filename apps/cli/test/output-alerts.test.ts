import type { AlertStatus } from '@velos/core';
import { toAiAlerts } from '@velos/core/ai';
import { describe, expect, it } from 'vitest';
import { renderAlertTable } from '../src/output/alert-list.js';
import { createColors } from '../src/output/colors.js';

const plain = createColors(false);
const now = 1_800_000_000_000;
const firing: AlertStatus = {
  rule: {
    name: 'storm',
    when: { kind: 'restarts', count: 5, windowMs: 600_000 },
    app: 'api',
    severity: 'error',
    forMs: 0,
    resolveAfterMs: 60_000,
    channels: [],
    source: 'runtime',
  },
  phase: 'firing',
  // 2 h 3 min 4 s: the age reads as people say it, not `7384s`
  since: now - 7_384_000,
  instances: [
    { key: 'api', phase: 'firing', since: now - 7_384_000, repeats: 2, escalationLevel: 1, message: 'm' },
  ],
  lastDelivery: {
    at: now - 1000,
    channel: 'webhook https://hooks.slack.com/…',
    isOk: false,
    attempts: 4,
    error: 'HTTP 500',
  },
};
const quiet: AlertStatus = {
  rule: {
    ...firing.rule,
    name: 'sick',
    when: { kind: 'unhealthy' },
    app: undefined,
    forMs: 30_000,
    severity: 'warning',
  },
  phase: 'ok',
  since: null,
  instances: [],
  lastDelivery: null,
};

describe('velos alerts output', () => {
  it('shows each rule with its condition, target, state, age and last delivery', () => {
    const lines = renderAlertTable([firing, quiet], plain, now).split('\n');
    expect(lines[0]).toMatch(/^name\s+when\s+app\s+severity\s+state\s+since\s+last delivery$/);
    expect(lines[1]).toMatch(
      /^storm\s+restarts >= 5 within 10m\s+api\s+error\s+firing \(api, escalated\)\s+2 h 3 min ago\s+failed: HTTP 500 \(webhook/,
    );
    // local HH:MM:SS (24-hour, as velos events), whatever the locale
    expect(lines[1]).toMatch(/failed: HTTP 500 \(webhook https:\/\/hooks\.slack\.com\/…, \d\d:\d\d:\d\d\)$/);
    expect(lines[2]).toMatch(/^sick\s+unhealthy for 30s\s+all\s+warning\s+ok\s+-\s+-$/);
    expect(renderAlertTable([], plain)).toContain('no alert rules');
  });

  it('shows the control characters of a delivery error (a stderr line) as \\xHH: one line per rule', () => {
    const failed: AlertStatus = {
      ...firing,
      lastDelivery: {
        ...firing.lastDelivery!,
        channel: 'command /opt/notify',
        error: 'exit code 1 after 5 ms: \u001b[31mno\rteam\u0007',
      },
    };
    const table = renderAlertTable([failed], plain, now);
    const lines = table.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/);
    expect(table).toContain(
      'failed: exit code 1 after 5 ms: \\x1b[31mno\\x0dteam\\x07 (command /opt/notify,',
    );
  });

  it('has a compact --ai form', () => {
    expect(toAiAlerts([firing, quiet])).toEqual([
      {
        n: 'storm',
        w: 'restarts >= 5 within 10m',
        a: 'api',
        sev: 'error',
        st: 'firing',
        t: new Date(now - 7_384_000).toISOString(),
        f: ['api'],
        d: `failed: HTTP 500 (webhook https://hooks.slack.com/…, ${new Date(now - 1000).toISOString()})`,
      },
      { n: 'sick', w: 'unhealthy for 30s', sev: 'warning', st: 'ok' },
    ]);
  });
});
