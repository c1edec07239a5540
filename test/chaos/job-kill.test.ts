import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURE_DIR,
  isAlive,
  killDaemon,
  killPid,
  velosOk,
  waitFor,
} from './chaos-helpers.js';

const seenPids = new Set<number>();

afterEach(async () => {
  for (const pid of seenPids) killPid(pid);
  seenPids.clear();
  await cleanupHomes();
});

/** One run of `velos runs --json`. */
interface RunRow {
  seq: number;
  pid: number | null;
  startedAt: number;
  endedAt: number | null;
  outcome: string;
  trigger: string;
}

async function runsOf(home: string, name: string): Promise<RunRow[]> {
  const result = await velosOk(['runs', name, '--json', '--limit', '100'], { home });
  return (JSON.parse(result.stdout) as RunRow[]).sort((a, b) => a.seq - b.seq);
}

describe('SIGKILL of the daemon while a scheduled job runs', () => {
  it('the next daemon stops the orphaned run, keeps it in the history as interrupted, and numbers on', async () => {
    const home = createHome();
    // Each run works 30 s, much longer than the interval: the kill surely lands while one runs.
    const env = { COUNTER_FILE: join(home, 'job.count'), JOB_MS: '30000' };
    await velosOk(
      ['start', `${FIXTURE_DIR}/job-counter.js`, '--name', 'job', '--every', '1s', '--timeout', '2m'],
      {
        home,
        env,
      },
    );
    const running = await waitFor(
      async () => (await runsOf(home, 'job')).find((run) => run.outcome === 'running' && run.pid),
      { message: 'a run of the job in progress' },
    );
    seenPids.add(running.pid!);
    await killDaemon(home);
    expect(isAlive(running.pid)).toBe(true);

    const listed = await velosOk(['list', '--json'], { home });
    // Stopped by its run entry, or (an entry not written yet) by the environment scan.
    expect(listed.stderr).toMatch(
      /stopped (job \(id 0, pid \d+\) cannot be re-adopted|pid \d+ \(process id 0, not registered\))/,
    );
    expect(isAlive(running.pid)).toBe(false);
    // The schedule goes on under the new daemon: a new run starts, numbered after the interrupted one.
    const killedAt = Date.now();
    const next = await waitFor(
      async () =>
        (await runsOf(home, 'job')).find(
          (run) => run.pid !== null && run.pid !== running.pid && run.startedAt >= killedAt - 1000,
        ),
      { timeoutMs: 30_000, message: 'a run after the crash' },
    );
    seenPids.add(next.pid!);
    expect(next.outcome).toBe('running');
    expect(next.seq).toBe(running.seq + 1);
    // The interrupted run stays in the history (it was recorded as started before its spawn).
    const runs = await runsOf(home, 'job');
    expect(runs.find((run) => run.seq === running.seq)).toMatchObject({
      pid: running.pid,
      startedAt: running.startedAt,
      endedAt: null,
      outcome: 'interrupted',
      trigger: running.trigger,
    });
    const seqs = runs.map((run) => run.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(Math.max(...seqs)).toBe(next.seq);
  });
});
