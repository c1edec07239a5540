import { describeTriggered, type JobRun, type ProcessInfo } from '@velos/core';
import { describe, expect, it } from 'vitest';

function job(id: number, name: string, runs: number, lastRun: Partial<JobRun>): ProcessInfo {
  const run: JobRun = {
    seq: runs,
    pid: 4242,
    startedAt: 0,
    endedAt: null,
    exitCode: null,
    signal: null,
    outcome: 'running',
    trigger: 'user',
    ...lastRun,
  };
  return { id, name, job: { lastRun: run, nextRunAt: null, runs, skipped: 0 } } as ProcessInfo;
}

describe('velos trigger lines', () => {
  it('says which jobs started a run; none started (still going, spawn failed) is a failure to report', () => {
    const before = new Map([
      [1, 6],
      [2, 2],
      [3, 4],
    ]);
    const busy = job(1, 'sbox', 6, {});
    const started = job(2, 'backup', 3, {});
    const broken = job(3, 'report', 5, { outcome: 'spawn-error', pid: null });
    expect(describeTriggered([busy], before)).toMatchObject({
      lines: ['sbox: run 6 is still going (pid 4242); not triggered'],
      hasStarted: false,
    });
    expect(describeTriggered([broken], before)).toMatchObject({
      lines: ['report: run 5 failed to start (see velos logs report --err)'],
      hasStarted: false,
    });
    expect(describeTriggered([busy, started], before)).toMatchObject({
      lines: ['sbox: run 6 is still going (pid 4242); not triggered', 'backup: run 3 started (pid 4242)'],
      hasStarted: true,
    });
  });
});
