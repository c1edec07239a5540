import type { AlertStatus, VelosControl, VelosEvent } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';

// a time with milliseconds: the tools give them, as velos events --ai and alerts --ai do
const AT = 1_800_000_000_250;

const storm: AlertStatus = {
  rule: {
    name: 'storm',
    when: { kind: 'restarts', count: 5, windowMs: 600_000 },
    app: 'api',
    severity: 'warning',
    forMs: 0,
    resolveAfterMs: 60_000,
    channels: [],
    source: 'runtime',
  },
  phase: 'firing',
  since: AT - 60_000,
  instances: [
    { key: 'api', phase: 'firing', since: AT - 60_000, repeats: 1, escalationLevel: 0, message: 'm' },
  ],
  lastDelivery: {
    at: AT,
    channel: 'webhook https://hooks.slack.com/…',
    isOk: false,
    attempts: 4,
    error: 'HTTP 500',
  },
};

describe('alerts_list', () => {
  it('gives each rule its last delivery (d), as its description and velos alerts --ai do', async () => {
    const control = { alerts: async () => [storm] } as unknown as VelosControl;
    const answer = await callTool(control, 'alerts_list', {});
    expect(JSON.parse(answer.content[0]!.text)).toEqual([
      {
        n: 'storm',
        w: 'restarts >= 5 within 10m',
        a: 'api',
        sev: 'warning',
        st: 'firing',
        t: '2027-01-15T07:59:00.250Z',
        f: ['api'],
        d: 'failed: HTTP 500 (webhook https://hooks.slack.com/…, 2027-01-15T08:00:00.250Z)',
      },
    ]);
  });
});

describe('events_list', () => {
  it('gives t in ISO UTC with milliseconds, as velos events --ai and log lines do', async () => {
    const event: VelosEvent = {
      seq: 1,
      at: AT,
      kind: 'app.deploy',
      severity: 'info',
      app: 'api',
      message: 'm',
    };
    const control = { events: async () => ({ events: [event], hasMore: false }) } as unknown as VelosControl;
    const answer = await callTool(control, 'events_list', {});
    expect(JSON.parse(answer.content[0]!.text)).toMatchObject({
      ev: [{ t: '2027-01-15T08:00:00.250Z', k: 'app.deploy' }],
    });
  });
});
