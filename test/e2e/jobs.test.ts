import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  busEvents,
  cleanupHomes,
  createHome,
  deleteApps,
  FIXTURES,
  isAlive,
  killDaemon,
  listState,
  readPidFile,
  sharedHome,
  velos,
  velosOk,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

/** One run of `velos runs --json`. */
interface RunRow {
  seq: number;
  name: string;
  pid: number | null;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  outcome: string;
  trigger: string;
}

/** One row of `velos list --json`, with the job field. */
interface JobRow {
  name: string;
  status: string;
  pid: number | null;
  job?: { runs: number; nextRunAt: number | null; skipped: number; lastRun: RunRow | null };
}

/** `velos runs <name> --json --limit 100`, parsed. */
async function runsJson(home: string, name: string): Promise<RunRow[]> {
  const result = await velosOk(['runs', name, '--json', '--limit', '100'], { home });
  return JSON.parse(result.stdout) as RunRow[];
}

/**
 * What `runsJson` prints, read over the daemon's socket (no CLI process) for polling; when no daemon
 * answers (after a `velos kill`) it runs the CLI, which starts the next one as before.
 */
async function runsOf(home: string, name: string): Promise<RunRow[]> {
  if (!existsSync(join(home, 'velos.sock'))) return runsJson(home, name);
  const client = createClient({ home, autoStart: false, timeoutMs: 10_000 });
  let runs: unknown;
  try {
    runs = await client.runs(name, 100);
  } catch {
    return runsJson(home, name);
  } finally {
    await client.close().catch(() => undefined);
  }
  // The CLI prints JSON: the same round trip drops undefined fields as it does.
  return JSON.parse(JSON.stringify(runs)) as RunRow[];
}

async function jobRow(home: string, name: string): Promise<JobRow | undefined> {
  return ((await listState(home)) as unknown as JobRow[]).find((row) => row.name === name);
}

/** True for a run that started and ended (not one going on, nor a due time skipped). */
function hasRun(run: RunRow): boolean {
  return run.outcome !== 'running' && run.outcome !== 'skipped';
}

/** Waits for at least `count` finished runs and returns them oldest first. */
function finished(home: string, name: string, count: number): Promise<RunRow[]> {
  return waitFor(
    async () => {
      const runs = (await runsOf(home, name)).filter(hasRun).reverse();
      return runs.length >= count ? runs : undefined;
    },
    { timeoutMs: 30_000, message: `${count} finished runs of ${name}` },
  );
}

describe('jobs (SUP-8)', () => {
  // Tests that only touch their own jobs share one home and daemon (each deletes a job that would go on
  // running); the two that kill the daemon get their own.
  const shared = sharedHome();

  it('runs a job every interval, records exit codes, and keeps the history across a daemon restart', async () => {
    const home = createHome();
    const env = { COUNTER_FILE: join(home, 'tick.count'), EXIT_CODES: '0,1' };
    const start = await velosOk(['start', 'fixtures/job-counter.js', '--name', 'tick', '--every', '400ms'], {
      home,
      env,
    });
    expect(start.stdout).toMatch(/tick/);
    const before = await finished(home, 'tick', 2);
    // a run slowed past the interval on a busy machine skips a due time, which takes a number of its own
    expect(before.slice(0, 2).map((run) => [run.exitCode, run.outcome, run.trigger])).toEqual([
      [0, 'ok', 'start'],
      [1, 'failed', 'interval'],
    ]);
    expect(before[0]!.seq).toBe(1);
    // what `runs --json` prints is the daemon's history (polled over its socket), newest first
    expect((await runsJson(home, 'tick')).filter(hasRun).slice(-2).reverse()).toEqual(before.slice(0, 2));
    const table = await velosOk(['runs', 'tick'], { home });
    expect(table.stdout.split('\n')[0]).toMatch(
      /^run\s+started\s+duration\s+exit\s+outcome\s+trigger\s+pid(\s+note)?$/,
    );
    expect(table.stdout).toMatch(/\n\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S+\s+0\s+ok\s+start\s+\d+/);

    const oldDaemon = readPidFile(home)!;
    // what `velos kill` sends (daemon.test.ts tests the CLI's), over the socket; it waits for the exit
    await killDaemon(home);
    const killedAt = Date.now();
    expect(isAlive(oldDaemon)).toBe(false);
    // The next command starts a new daemon, which restores the job (saved enabled) and its history.
    // A run going on at the kill ends with it (SIGTERM) and is recorded: wait for the restored run itself,
    // run at once (`start`) or, when the new daemon restored it within 400 ms of the latest run's start,
    // at that run's due time (`interval`: docs/jobs-and-dependencies.md, a restart adds no run)
    const isResumed = (run: RunRow) =>
      run.startedAt > killedAt && (run.trigger === 'start' || run.trigger === 'interval');
    const after = await waitFor(
      async () => {
        const runs = (await runsOf(home, 'tick')).filter(hasRun).reverse();
        return runs.some(isResumed) ? runs : undefined;
      },
      { timeoutMs: 30_000, message: 'the first run of the restored job' },
    );
    expect(readPidFile(home)).not.toBe(oldDaemon);
    expect(after.slice(0, 2).map((run) => [run.seq, run.pid, run.exitCode])).toEqual(
      before.slice(0, 2).map((run) => [run.seq, run.pid, run.exitCode]),
    );
    expect(after.find(isResumed)!.seq).toBeGreaterThan(before.at(-1)!.seq);
  });

  it('runs a one-shot job once, then again with velos trigger', async () => {
    const home = shared();
    const env = { COUNTER_FILE: join(home, 'once.count') };
    await velosOk(['start', 'fixtures/job-counter.js', '--name', 'once', '--type', 'job'], { home, env });
    await finished(home, 'once', 1);
    const stopped = await waitFor(async () => {
      const row = await jobRow(home, 'once');
      return row?.status === 'stopped' ? row : undefined;
    });
    expect(stopped.job).toMatchObject({ runs: 1, nextRunAt: null, lastRun: { outcome: 'ok' } });

    const trigger = await velosOk(['trigger', 'once'], { home });
    expect(trigger.stdout.trim()).toMatch(/^once: run 2 started \(pid \d+\)$/);
    const runs = await finished(home, 'once', 2);
    expect(runs.map((run) => run.trigger)).toEqual(['start', 'user']);
  });

  it('stops a run at its --timeout (outcome timeout), and velos stop turns the schedule off', async () => {
    const home = shared();
    const env = { COUNTER_FILE: join(home, 'slow.count'), JOB_MS: '60000' };
    await velosOk(
      ['start', 'fixtures/job-counter.js', '--name', 'slow', '--every', '1m', '--timeout', '400ms'],
      { home, env },
    );
    const [run] = await finished(home, 'slow', 1);
    expect(run).toMatchObject({ outcome: 'timeout', signal: 'SIGTERM' });
    expect(isAlive(run!.pid!)).toBe(false);
    expect((await jobRow(home, 'slow'))?.status).toBe('scheduled');

    await velosOk(['stop', 'slow'], { home });
    const row = await jobRow(home, 'slow');
    expect(row).toMatchObject({ status: 'stopped', job: { nextRunAt: null } });
  });

  it('records a run ended by velos stop or velos kill as stopped, not failed', async () => {
    const home = createHome();
    const env = { COUNTER_FILE: join(home, 'long.count'), JOB_MS: '60000' };
    const going = (seq: number) =>
      waitFor(
        async () => {
          const [run] = await runsOf(home, 'long');
          return run?.seq === seq && run.outcome === 'running' && run.pid !== null ? run : undefined;
        },
        { message: `run ${seq} going` },
      );
    await velosOk(['start', 'fixtures/job-counter.js', '--name', 'long', '--every', '1h'], { home, env });
    const first = await going(1);
    // nothing triggered is a failure a script can see (it used to exit 0)
    const busy = await velos(['trigger', 'long'], { home });
    expect([busy.code, busy.stderr.trimEnd()]).toEqual([
      1,
      `velos: long: run 1 is still going (pid ${first.pid}); not triggered`,
    ]);
    await velosOk(['stop', 'long'], { home });
    expect(isAlive(first.pid!)).toBe(false);
    expect((await runsOf(home, 'long'))[0]).toMatchObject({ seq: 1, outcome: 'stopped', signal: 'SIGTERM' });
    expect((await jobRow(home, 'long'))?.job?.lastRun).toMatchObject({ outcome: 'stopped' });

    await velosOk(['start', 'long'], { home });
    const second = await going(2);
    const daemon = readPidFile(home)!;
    await velosOk(['kill'], { home });
    await waitFor(() => !isAlive(daemon), { message: 'the daemon to exit' });
    expect(isAlive(second.pid!)).toBe(false);
    // the next command starts a daemon that loads the history (and runs the restored job again)
    const runs = (await runsOf(home, 'long')).filter((run) => run.seq <= 2);
    expect(runs.map((run) => [run.seq, run.outcome])).toEqual([
      [2, 'stopped'],
      [1, 'stopped'],
    ]);
    const table = await velosOk(['runs', 'long'], { home });
    expect(table.stdout).toMatch(/\n\s+2\s+\S+ \S+\s+\S+\s+SIGTERM\s+stopped\s+start\s+\d+/);
  });

  it('runs a --schedule job when the cron fires, not at start', async () => {
    const home = shared();
    const env = { COUNTER_FILE: join(home, 'cron.count') };
    await velosOk(['start', 'fixtures/job-counter.js', '--name', 'cron', '--schedule', '*/1 * * * * *'], {
      home,
      env,
    });
    const runs = await finished(home, 'cron', 2);
    expect(runs.slice(0, 2).map((run) => [run.seq, run.trigger, run.outcome])).toEqual([
      [1, 'schedule', 'ok'],
      [2, 'schedule', 'ok'],
    ]);
    // a run every second (a Node start each) for the rest of the file's tests on the shared daemon otherwise
    await deleteApps(home, ['cron']);
  });

  it('runs an --every 30d --timeout 30d job once, to its end; a duration past 365d is refused (issue #19 item 3)', async () => {
    const home = shared();
    const env = { COUNTER_FILE: join(home, 'monthly.count'), JOB_MS: '400' };
    await velosOk(
      ['start', 'fixtures/job-counter.js', '--name', 'monthly', '--every', '30d', '--timeout', '30d'],
      { home, env },
    );
    // a short interval job as the clock: a timer clamped to 1 ms fires many times while it runs thrice
    const clockEnv = { COUNTER_FILE: join(home, 'clock.count') };
    await velosOk(['start', 'fixtures/job-counter.js', '--name', 'clock', '--every', '200ms'], {
      home,
      env: clockEnv,
    });
    const [run] = await finished(home, 'monthly', 1);
    const clockRuns = (await runsOf(home, 'clock')).length;
    await finished(home, 'clock', clockRuns + 3);
    expect(await runsOf(home, 'monthly')).toHaveLength(1);
    expect(run).toMatchObject({ seq: 1, outcome: 'ok', exitCode: 0, trigger: 'start' });
    const row = await jobRow(home, 'monthly');
    expect(row).toMatchObject({ status: 'scheduled', job: { runs: 1, skipped: 0 } });
    expect(row!.job!.nextRunAt! - run!.startedAt).toBeGreaterThan(30 * 86_400_000 - 60_000);

    const tooLong = await velos(['start', 'fixtures/job-counter.js', '--name', 'yearly', '--every', '400d'], {
      home,
      env,
    });
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr.trimEnd()).toBe('velos: --every: expected a duration of at most 365d, got "400d"');
    // the clock runs a Node process every 200 ms for the rest of the file's tests on the shared daemon otherwise
    await deleteApps(home, ['monthly', 'clock']);
  });

  it('keeps a job to one instance on every path, nothing changed; a file names its key and line (and config show tells autorestart false)', async () => {
    const home = shared();
    const env = { COUNTER_FILE: join(home, 'solo.count'), JOB_MS: '60000' };
    const file = join(home, 'solo.toml');
    const entry = (extra: string) =>
      `[[apps]]\nname = "solo"\nscript = "${join(FIXTURES, 'job-counter.js')}"\ntype = "job"\ninterval = "1h"\n${extra}`;
    writeFileSync(file, entry(''));
    await velosOk(['start', file], { home, env });
    const before = await waitFor(async () => {
      const [run] = await runsOf(home, 'solo');
      return run?.outcome === 'running' && run.pid !== null ? run : undefined;
    });
    const refusals = [
      [
        ['scale', 'solo', '3'],
        // a count the app cannot take is a usage error, like every count out of range
        2,
        'velos: scale solo: a job runs one instance, never several at once: expected 1, got 3 (see velos scale --help)',
      ],
      [
        ['start', 'fixtures/job-counter.js', '--name', 'solo', '--every', '1h', '-f'],
        1,
        "velos: 'solo' is a job, which runs one instance, never several at once: -f cannot add one (velos trigger solo runs it now)",
      ],
      [
        ['config', 'set', 'solo', 'instances=3'],
        2,
        'velos: solo: instances: a job runs one instance, never several at once: expected 1, got 3',
      ],
    ] as const;
    for (const [args, code, line] of refusals) {
      const result = await velos([...args], { home, env });
      expect([result.code, result.stderr.trimEnd()]).toEqual([code, line]);
    }
    writeFileSync(file, entry('instances = 3\n'));
    const inFile =
      'solo.toml: apps[0] (solo).instances: a job runs one instance, never several at once: expected 1, got 3 (line 6)';
    for (const args of [
      ['config', 'reload', file],
      ['config', 'validate', file],
      ['start', file],
    ]) {
      const result = await velos(args, { home, env });
      expect([result.code, result.stderr.trimEnd()]).toEqual([1, `velos: ${inFile}`]);
    }
    expect((await busEvents(home, ['config.rejected'])).at(-1)?.fields?.error).toBe(inFile);
    const rows = (await listState(home)).filter((row) => row.name === 'solo');
    expect(rows.map((row) => [row.status, row.pid])).toEqual([['online', before.pid]]);
    expect((await runsOf(home, 'solo')).map((run) => run.seq)).toEqual([1]);

    // a job is never restarted: its spec says so, as describe does
    const shown = await velosOk(['config', 'show', 'solo'], { home });
    expect(shown.stdout).toMatch(/^autorestart = false$/m);
    const dryRun = await velosOk(['start', 'fixtures/job-counter.js', '--every', '1h', '--dry-run'], {
      home,
    });
    expect(JSON.parse(dryRun.stdout)[0]).toMatchObject({ type: 'job', autorestart: false });
    await velosOk(['delete', 'solo'], { home });
  });

  it('refuses a job of several instances from flags by the one-instance rule, also where -i means cluster mode', async () => {
    const home = shared();
    const start = ['start', 'sleep 100', '--name', 'js', '--type', 'job', '-i', '2'];
    for (const mode of [[], ['--exec-mode', 'fork']]) {
      const result = await velos([...start, ...mode], { home });
      // a bad command line, as a bad value is: exit 2, naming the flag as typed
      expect([result.code, result.stderr.trimEnd()]).toEqual([
        2,
        'velos: -i: a job runs one instance, never several at once: expected 1, got 2',
      ]);
    }
  });

  it('refuses a cron expression that never fires at every entry: flags, a file, its export', async () => {
    const home = shared();
    const never = '(it never fires: no date from now on matches it)';
    for (const [flag, value] of [
      ['--schedule', '0 0 30 2 *'],
      ['--cron-restart', '0 0 31 4 *'],
    ] as const) {
      const result = await velos(['start', 'sleep 100', '--name', 'never', flag, value], { home });
      expect([result.code, result.stderr.trimEnd()]).toEqual([
        2,
        `velos: ${flag}: expected a cron expression like "0 3 * * *", got "${value}" ${never}`,
      ]);
    }
    const file = join(home, 'feb30.toml');
    writeFileSync(
      file,
      '[[apps]]\nname = "feb30"\nscript = "sleep 100"\ntype = "job"\nschedule = "0 0 30 2 *"\n',
    );
    const inFile = `velos: feb30.toml: apps[0] (feb30).schedule: expected a cron expression like "0 3 * * *", got "0 0 30 2 *" ${never} (line 5)`;
    for (const args of [
      ['config', 'validate', file],
      ['start', file],
      ['export', 'systemd', file],
    ]) {
      const result = await velos(args, { home });
      expect([result.code, result.stderr.trimEnd()]).toEqual([1, inFile]);
    }
    const names = (await listState(home)).map((row) => row.name);
    expect(names).not.toContain('feb30');
    expect(names).not.toContain('never');
  });

  it('refuses runs and trigger on an app that is not a job, in one line', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'api'], { home });
    for (const command of ['runs', 'trigger']) {
      const result = await velos([command, 'api'], { home });
      expect(result.code).toBe(1);
      expect(result.stderr.trimEnd()).toMatch(/^velos: 'api' is not a job \(.*\)$/);
    }
    // PM2's `trigger <app> <action>` (custom actions): said to be unsupported, with what to use
    const action = await velos(['trigger', 'api', 'clear-cache'], { home });
    expect(action.code).toBe(1);
    expect(action.stderr).toContain(
      "PM2's custom actions (as in pm2 trigger api clear-cache) are not supported: velos trigger runs jobs; to make a running app act, send it a signal (velos signal SIGUSR2 api)",
    );
  });
});
