import type { JobRun, MetricsHistory, ProcessInfo, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';
import { fakeProcess } from './fake-process.js';

/** A history of one process of `namespace`, two points. */
function history(id: number, name: string, namespace: string): MetricsHistory {
  return {
    id,
    name,
    instance: 0,
    namespace,
    t: [1000, 61_000],
    cpu: [1, 2],
    memory: [10 * 1024 * 1024, 12 * 1024 * 1024],
    restarts: [0, 0],
    logRate: [0, 0],
  };
}

describe('metrics_history', () => {
  it('names the namespace of a process outside default (ns), as process_list and metrics_snapshot do', async () => {
    const metricsHistory = async () => [history(0, 'api', 'default'), history(1, 'billing', 'shop')];
    const control = { metricsHistory } as unknown as VelosControl;
    const answer = JSON.parse(
      (await callTool(control, 'metrics_history', { target: 'all' })).content[0]!.text,
    );
    expect(answer[0]).not.toHaveProperty('ns');
    expect(answer[1]).toMatchObject({ i: 1, n: 'billing', ns: 'shop' });
  });
});

/** Job `name` (id `id`) after `runs` runs, its last one `outcome`. */
function job(id: number, name: string, runs: number, outcome: JobRun['outcome']): ProcessInfo {
  const lastRun: JobRun = {
    seq: runs,
    pid: 4200 + runs,
    startedAt: 0,
    endedAt: null,
    exitCode: null,
    signal: null,
    outcome,
    trigger: 'user',
  };
  return fakeProcess({ id, name, type: 'job', job: { lastRun, nextRunAt: null, runs, skipped: 0 } });
}

describe('job_trigger', () => {
  /** job_trigger of `target` where the list gives `before` and the trigger answers `after`. */
  async function trigger(before: ProcessInfo[], after: ProcessInfo[]) {
    const control = { list: async () => before, trigger: async () => after } as unknown as VelosControl;
    return (await callTool(control, 'job_trigger', { target: 'all' })).content[0]!.text;
  }

  it('says a run started, and which job it left alone because its run is still going', async () => {
    const text = await trigger(
      [job(1, 'sbox', 6, 'running'), job(2, 'backup', 2, 'ok')],
      [job(1, 'sbox', 6, 'running'), job(2, 'backup', 3, 'running')],
    );
    expect(JSON.parse(text).map((p: { n: string; tg: string }) => [p.n, p.tg])).toEqual([
      ['sbox', 'run 6 is still going (pid 4206); not triggered'],
      ['backup', 'run 3 started (pid 4203)'],
    ]);
  });

  it('is an error (BUSY) when it started no run: the answer of a job left alone read as one started', async () => {
    const text = await trigger([job(1, 'sbox', 6, 'running')], [job(1, 'sbox', 6, 'running')]);
    expect(text).toBe('BUSY: sbox: run 6 is still going (pid 4206); not triggered');
  });
});
