import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURE_DIR,
  isAlive,
  killDaemon,
  killPid,
  listState,
  runsState,
  SeenProcesses,
  velosOk,
  waitFor,
} from './chaos-helpers.js';

const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

/** One run of `velos runs --json`. */
interface RunRow {
  seq: number;
  pid: number | null;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  outcome: string;
  trigger: string;
}

/** The job's last 100 runs, oldest first, over the daemon's socket (a daemon must run: none is started). */
async function runsOf(home: string, name: string): Promise<RunRow[]> {
  return (await runsState<RunRow>(home, name, 100)).sort((a, b) => a.seq - b.seq);
}

describe('SIGKILL of the daemon while a job runs', () => {
  it('the next daemon takes the run over, follows it to its end and records it (exit code unknown)', async () => {
    const home = createHome();
    // A one-shot job (--timeout): its run works 3 s, then exits 3.
    const env = { COUNTER_FILE: join(home, 'job.count'), JOB_MS: '3000', EXIT_CODES: '3' };
    await velosOk(['start', `${FIXTURE_DIR}/job-counter.js`, '--name', 'job', '--timeout', '1m'], {
      home,
      env,
    });
    const running = await waitFor(
      async () => (await runsOf(home, 'job')).find((run) => run.outcome === 'running' && run.pid),
      { message: 'a run of the job in progress' },
    );
    seenPids.add(running.pid!);
    await killDaemon(home);
    expect(isAlive(running.pid)).toBe(true);

    const listed = await velosOk(['list', '--json'], { home });
    expect(listed.stderr).toMatch(/re-adopted job \(id 0, pid \d+\)/);
    const row = (
      JSON.parse(listed.stdout) as Array<{ name: string; pid: number; status: string; adopted?: boolean }>
    ).find((r) => r.name === 'job');
    expect(row).toMatchObject({ pid: running.pid, status: 'online', adopted: true });
    expect(await runsOf(home, 'job')).toMatchObject([
      { seq: running.seq, pid: running.pid, outcome: 'running' },
    ]);

    // Followed to its end: one run, same seq, pid, start and trigger, ended, its exit code unknown.
    const ended = await waitFor(
      async () =>
        (await runsOf(home, 'job')).find((run) => run.seq === running.seq && run.outcome !== 'running'),
      { timeoutMs: 30_000, message: 'the taken-over run to end' },
    );
    expect(isAlive(running.pid)).toBe(false);
    expect(ended).toMatchObject({
      pid: running.pid,
      startedAt: running.startedAt,
      outcome: 'unknown',
      exitCode: null,
      signal: null,
      trigger: running.trigger,
    });
    expect(ended.endedAt).toBeGreaterThanOrEqual(running.startedAt + 3000);
    // A one-shot: no further run; the job is stopped.
    const runs = await runsOf(home, 'job');
    expect(runs.map((run) => run.seq)).toEqual([running.seq]);
    const stopped = await waitFor(
      async () => {
        const rows = (await listState(home)) as Array<{ status: string; lastExitReason?: string | null }>;
        return rows[0]?.status === 'stopped' ? rows[0] : undefined;
      },
      { message: 'the one-shot job to be stopped' },
    );
    // its exit is unknown, as the run's outcome says: neither a clean exit nor a crash is claimed
    expect(stopped.lastExitReason).toBe('unknown');
  });

  it('an interval job keeps its schedule around a taken-over run: the next run starts after it, numbered on', async () => {
    const home = createHome();
    const env = { COUNTER_FILE: join(home, 'job.count'), JOB_MS: '3000' };
    await velosOk(['start', `${FIXTURE_DIR}/job-counter.js`, '--name', 'job', '--every', '500ms'], {
      home,
      env,
    });
    const running = await waitFor(
      async () => (await runsOf(home, 'job')).find((run) => run.outcome === 'running' && run.pid),
      { message: 'a run of the job in progress' },
    );
    seenPids.add(running.pid!);
    await killDaemon(home);
    await velosOk(['list', '--json'], { home });
    // due times skipped while the run went on are entries numbered between it and the next run
    const next = await waitFor(
      async () =>
        (await runsOf(home, 'job')).find(
          (run) => run.seq > running.seq && run.outcome !== 'skipped' && run.pid !== null,
        ),
      { timeoutMs: 30_000, message: 'the run after the taken-over one' },
    );
    seenPids.add(next.pid!);
    const between = (await runsOf(home, 'job')).filter((run) => run.seq > running.seq && run.seq < next.seq);
    expect(between.map((run) => run.outcome)).toEqual(between.map(() => 'skipped'));
    const adopted = (await runsOf(home, 'job')).find((run) => run.seq === running.seq)!;
    expect(adopted).toMatchObject({ pid: running.pid, outcome: 'unknown', exitCode: null });
    // never two runs at once: the next one started once the taken-over one had ended
    expect(next.startedAt).toBeGreaterThanOrEqual(adopted.endedAt!);
    expect(next.pid).not.toBe(running.pid);
  });

  it('a run that ended while no daemon ran stays in the history as interrupted, and the schedule numbers on', async () => {
    const home = createHome();
    // Each run works 30 s, much longer than the interval: the kill surely lands while one runs.
    const env = { COUNTER_FILE: join(home, 'job.count'), JOB_MS: '30000' };
    await velosOk(
      ['start', `${FIXTURE_DIR}/job-counter.js`, '--name', 'job', '--every', '500ms', '--timeout', '2m'],
      { home, env },
    );
    const running = await waitFor(
      async () => (await runsOf(home, 'job')).find((run) => run.outcome === 'running' && run.pid),
      { message: 'a run of the job in progress' },
    );
    seenPids.add(running.pid!);
    await killDaemon(home);
    // The run ends while no daemon runs.
    killPid(running.pid!);
    await waitFor(() => !isAlive(running.pid), { message: 'the orphaned run to end' });

    await velosOk(['list', '--json'], { home });
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
    // numbered on: after the interrupted run and the due times skipped during it (entries of their own)
    expect(next.seq).toBeGreaterThan(running.seq);
    const between = (await runsOf(home, 'job')).filter((run) => run.seq > running.seq && run.seq < next.seq);
    expect(between.map((run) => run.outcome)).toEqual(between.map(() => 'skipped'));
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
    // after it, only the due times skipped while it runs (30 s a run, every 500 ms)
    expect(runs.filter((run) => run.seq > next.seq).map((run) => run.outcome)).toEqual(
      runs.filter((run) => run.seq > next.seq).map(() => 'skipped'),
    );
  });
});
