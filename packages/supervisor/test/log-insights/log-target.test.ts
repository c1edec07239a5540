import { describe, expect, it } from 'vitest';
import { logQueryTarget } from '../../src/log-insights/log-target.js';
import type { ProcessRecord } from '../../src/process-record.js';

const app = {
  spec: { name: 'api', logFormat: 'auto' },
  outPath: '/logs/api-out.log',
  errPath: '/logs/api-err.log',
};

function record(fields: Partial<ProcessRecord>): ProcessRecord {
  return {
    id: 0,
    app,
    restarts: 0,
    startedAt: null,
    lastStartedAt: null,
    lastExitReason: null,
    ...fields,
  } as unknown as ProcessRecord;
}

describe('logQueryTarget', () => {
  it('names the latest restart of a running process', () => {
    const target = logQueryTarget([record({ restarts: 2, startedAt: 5000, lastStartedAt: 5000 })], 'api');
    expect(target.lastRestart).toEqual({ ts: 5000 });
  });

  it('keeps the last restart (ENG-6) once the app is errored or stopped: no current run', () => {
    const errored = record({ restarts: 15, startedAt: null, lastStartedAt: 7000, lastExitReason: 'crash' });
    expect(logQueryTarget([errored], 'api').lastRestart).toEqual({ ts: 7000, reason: 'crash' });
    const stopped = record({
      id: 1,
      restarts: 1,
      startedAt: null,
      lastStartedAt: 9000,
      lastExitReason: 'user',
    });
    expect(logQueryTarget([errored, stopped], 'api').lastRestart).toEqual({ ts: 9000, reason: 'user' });
  });

  it('has no last restart for an app that never restarted', () => {
    expect(
      logQueryTarget([record({ startedAt: 5000, lastStartedAt: 5000 })], 'api').lastRestart,
    ).toBeUndefined();
  });
});
