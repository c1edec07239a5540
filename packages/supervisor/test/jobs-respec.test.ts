import { join } from 'node:path';
import type { JobRun, ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Supervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

async function rowOf(supervisor: Supervisor, name: string): Promise<ProcessInfo> {
  const row = (await supervisor.list()).find((info) => info.name === name);
  if (!row) throw new Error(`no process named ${name}`);
  return row;
}

/** The runs of a job, oldest first, once `isDone` holds for them. */
function runsWhen(supervisor: Supervisor, name: string, isDone: (runs: JobRun[]) => boolean) {
  return waitFor(
    async () => {
      const runs = (await supervisor.runs(name)).reverse();
      return isDone(runs) ? runs : null;
    },
    { what: `the runs of ${name}`, timeoutMs: 15_000 },
  );
}

describe('a job given a new spec (config set, a config reload: CFG-2 with SUP-8)', () => {
  it('keeps the run in progress going to its end; the next run is spawned with the new spec', async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    await supervisor.start([
      appSpec(home, {
        name: 'nightly',
        script: 'job-counter.js',
        type: 'job',
        intervalMs: 3_600_000,
        // long enough for the config set to land during the run on a loaded machine (1.5 s did not, 2 of 2
        // beside two other test files: its run had ended, pid null)
        env: { COUNTER_FILE: join(home, 'nightly.count'), JOB_MS: '5000', EXIT_CODES: '0' },
      }),
    ]);
    const running = await waitFor(async () => {
      const row = await rowOf(supervisor, 'nightly');
      return row.status === 'online' ? row : null;
    });
    // the defect: the change stopped run 1 (outcome `stopped`) and started run 2 at once
    await supervisor.configSet('nightly', { 'env.EXIT_CODES': '3' });
    expect((await rowOf(supervisor, 'nightly')).pid).toBe(running.pid);
    const [first] = await runsWhen(supervisor, 'nightly', (runs) => runs[0]?.outcome !== 'running');
    expect(first).toMatchObject({ seq: 1, pid: running.pid, outcome: 'ok', exitCode: 0, trigger: 'start' });
    const row = await waitFor(async () => {
      const info = await rowOf(supervisor, 'nightly');
      return info.status === 'scheduled' ? info : null;
    });
    // its interval still counts from run 1: the change ran nothing
    expect(Math.abs(row.job!.nextRunAt! - (first!.startedAt + 3_600_000))).toBeLessThan(1000);
    expect(await supervisor.runs('nightly')).toHaveLength(1);
    await supervisor.trigger('nightly');
    const runs = await runsWhen(supervisor, 'nightly', (all) => all[1]?.outcome === 'failed');
    expect(runs[1]).toMatchObject({ seq: 2, exitCode: 3, trigger: 'user' });
    expect(logLines.join('\n')).not.toContain('stopped');
  });

  it('arms a new interval from the run in progress, a cron schedule at once, and ends a job that became a one-shot', async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    await supervisor.start([
      appSpec(home, {
        name: 'sync',
        script: 'job-counter.js',
        type: 'job',
        intervalMs: 3_600_000,
        env: { COUNTER_FILE: join(home, 'sync.count'), JOB_MS: '800' },
      }),
    ]);
    const [first] = await runsWhen(supervisor, 'sync', (runs) => runs.length === 1);
    await supervisor.configSet('sync', { interval: '2s' });
    // run 1 goes on; run 2 is due 2 s after run 1's start, not 2 s after the change, not now
    const runs = await runsWhen(supervisor, 'sync', (all) => all.length >= 2);
    expect(runs[0]).toMatchObject({ seq: 1, outcome: 'ok', trigger: 'start' });
    expect(runs[1]).toMatchObject({ seq: 2, trigger: 'interval' });
    expect(runs[1]!.startedAt - first!.startedAt).toBeGreaterThanOrEqual(2000);
    expect(runs[1]!.startedAt - first!.startedAt).toBeLessThan(3000);
    expect(logLines).toContainEqual(
      expect.stringMatching(/job \d+ \(sync\): schedule changed, next run at /),
    );

    // a cron schedule in place of the interval (setting one trigger drops the other): no run until its tick
    await supervisor.configSet('sync', { schedule: '0 0 1 1 *' });
    // scheduled once a run in progress (interval runs are 800 ms long) has ended
    const row = await waitFor(async () => {
      const info = await rowOf(supervisor, 'sync');
      return info.status === 'scheduled' ? info : null;
    });
    const next = new Date(row.job!.nextRunAt!);
    expect([row.status, next.getMonth(), next.getDate(), next.getHours()]).toEqual(['scheduled', 0, 1, 0]);
    const seen = (await supervisor.runs('sync')).length;

    // neither a schedule nor an interval: a one-shot that has run, so it is done (stopped), not waiting
    await supervisor.configSet('sync', { schedule: undefined });
    await waitFor(async () => ((await rowOf(supervisor, 'sync')).status === 'stopped' ? true : null));
    expect((await supervisor.runs('sync')).length).toBe(seen);
  });
});
