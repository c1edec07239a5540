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
  it('the next daemon stops the orphaned run, records how it ended, and keeps the schedule', async () => {
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
    // The schedule goes on under the new daemon: a later run starts.
    const runs = await waitFor(
      async () => {
        const all = await runsOf(home, 'job');
        return all.some((run) => run.seq > running.seq) ? all : undefined;
      },
      { timeoutMs: 30_000, message: 'a run after the crash' },
    );
    // The interrupted run is not left "running" for ever: it is closed with an outcome.
    const interrupted = runs.find((run) => run.seq === running.seq);
    expect(interrupted?.outcome).not.toBe('running');
    expect(interrupted?.endedAt).not.toBeNull();
  });
});
