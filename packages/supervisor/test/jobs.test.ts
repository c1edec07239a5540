import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, type JobRun, type ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive } from '../src/proc-scan.js';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

type Run = JobRun & { id: number; name: string };

function counterJob(home: string, name: string, extra: Record<string, string> = {}) {
  return appSpec(home, {
    name,
    script: 'job-counter.js',
    type: 'job',
    env: { COUNTER_FILE: join(home, `${name}.count`), ...extra },
  });
}

async function rowOf(supervisor: Supervisor, name: string): Promise<ProcessInfo> {
  const row = (await supervisor.list()).find((info) => info.name === name);
  if (!row) throw new Error(`no process named ${name}`);
  return row;
}

/** The finished runs of a job, oldest first, once there are at least `count`. */
function finishedRuns(supervisor: Supervisor, name: string, count: number, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const runs = (await supervisor.runs(name))
        .filter((run) => run.outcome !== 'running' && run.outcome !== 'skipped')
        .reverse();
      return runs.length >= count ? runs : null;
    },
    { what: `${count} finished runs of ${name}`, timeoutMs },
  );
}

describe('jobs (SUP-8)', () => {
  it('runs an interval job again and again, recording each exit code, and keeps the history in a 0600 file', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([{ ...counterJob(home, 'tick', { EXIT_CODES: '0,1' }), intervalMs: 400 }]);
    const runs = await finishedRuns(supervisor, 'tick', 3);
    // a run slowed past the interval on a busy machine skips a due time, which takes a number of its own
    expect(runs.slice(0, 3).map((run) => [run.exitCode, run.outcome, run.trigger])).toEqual([
      [0, 'ok', 'start'],
      [1, 'failed', 'interval'],
      [0, 'ok', 'interval'],
    ]);
    expect(runs[0]!.seq).toBe(1);
    expect(runs[1]!.seq).toBeGreaterThan(1);
    expect(runs[2]!.seq).toBeGreaterThan(runs[1]!.seq);
    expect(new Set(runs.map((run) => run.pid)).size).toBe(runs.length);
    const row = await waitFor(async () => {
      const info = await rowOf(supervisor, 'tick');
      return info.status === 'scheduled' ? info : null;
    });
    expect(row.type).toBe('job');
    expect(row.job!.runs).toBeGreaterThanOrEqual(3);
    expect(row.job!.nextRunAt).toBeGreaterThan(row.job!.lastRun!.startedAt);

    const file = join(home, 'jobs', 'tick.jsonl');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'jobs')).mode & 0o777).toBe(0o700);
    const saved = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JobRun)
      .filter((run) => run.outcome !== 'running' && run.outcome !== 'skipped');
    expect(saved.slice(0, 3).map((run) => run.exitCode)).toEqual([0, 1, 0]);
  });

  it('never overlaps a run that outlasts its interval: due runs are skipped, counted and listed in its runs', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
    // each run lasts more than three intervals: runs fall due while one is going
    await supervisor.start([{ ...counterJob(home, 'slow', { JOB_MS: '500' }), intervalMs: 150 }]);
    const runs = await finishedRuns(supervisor, 'slow', 3, 30_000);
    for (let i = 1; i < runs.length; i += 1) {
      expect(runs[i]!.startedAt).toBeGreaterThanOrEqual(runs[i - 1]!.endedAt!);
    }
    expect((await rowOf(supervisor, 'slow')).job!.skipped).toBeGreaterThan(0);
    expect(
      logLines.some((line) => line.includes('run skipped (interval): the previous run is still going')),
    ).toBe(true);
    // each due time skipped is in the history, those skipped during one run as one entry saying why
    await supervisor.stop('slow');
    const all = await supervisor.runs('slow', 100);
    const skips = all.filter((run) => run.outcome === 'skipped');
    const ran = all.filter((run) => run.outcome !== 'skipped');
    expect(skips.length).toBeGreaterThan(0);
    expect(skips.length).toBeLessThanOrEqual(ran.length);
    for (const skip of skips) {
      const during = ran.find(
        (run) => skip.reason === `previous run ${run.seq} still going (pid ${run.pid})`,
      );
      expect(skip).toMatchObject({ trigger: 'interval', pid: null, exitCode: null, signal: null });
      expect(skip.startedAt).toBeGreaterThanOrEqual(during!.startedAt);
    }
    expect(skips.reduce((sum, skip) => sum + skip.skips!, 0)).toBe(
      (await rowOf(supervisor, 'slow')).job!.skipped,
    );
    expect(new Set(all.map((run) => run.seq)).size).toBe(all.length);
    // velos reset sets the count back to 0 with the restart counters (it was kept); the history stays
    const [reset] = await supervisor.reset('slow');
    expect(reset!.job!.skipped).toBe(0);
    expect((await supervisor.runs('slow')).length).toBeGreaterThanOrEqual(3);
  });

  it('stops a run that outlasts its timeout: outcome timeout, process gone', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const [started] = await supervisor.start([
      { ...counterJob(home, 'stuck', { JOB_MS: '60000' }), jobTimeoutMs: 500, killTimeoutMs: 1000 },
    ]);
    const pid = started!.pid!;
    expect(pid).toBeGreaterThan(0);
    const [run] = await finishedRuns(supervisor, 'stuck', 1);
    expect(run).toMatchObject({ outcome: 'timeout', signal: 'SIGTERM', pid, trigger: 'start' });
    expect(run!.endedAt! - run!.startedAt).toBeGreaterThanOrEqual(500);
    expect(isPidAlive(pid)).toBe(false);
    // the run is recorded on its exit; the stop that timed it out settles the status just after
    const row = await waitFor(async () => {
      const found = await rowOf(supervisor, 'stuck');
      return found.status === 'stopping' ? null : found;
    });
    expect(row).toMatchObject({ status: 'stopped', pid: null, lastExitReason: 'timeout' });
  });

  it('runs a cron job when its schedule fires, not at start', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const [started] = await supervisor.start([{ ...counterJob(home, 'cron'), schedule: '*/1 * * * * *' }]);
    expect(started).toMatchObject({ status: 'scheduled', pid: null });
    expect(started!.job).toMatchObject({ lastRun: null, runs: 0 });
    const runs = await finishedRuns(supervisor, 'cron', 2);
    expect(runs.slice(0, 2).map((run) => [run.trigger, run.outcome])).toEqual([
      ['schedule', 'ok'],
      ['schedule', 'ok'],
    ]);
    const row = await rowOf(supervisor, 'cron');
    expect(row.job!.nextRunAt).toBeGreaterThan(Date.now() - 1000);
  });

  it('runs a one-shot job once, shows it stopped with its outcome, and runs it again on trigger', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([counterJob(home, 'migrate')]);
    await finishedRuns(supervisor, 'migrate', 1);
    const row = await waitFor(async () => {
      const info = await rowOf(supervisor, 'migrate');
      return info.status === 'stopped' ? info : null;
    });
    expect(row.job).toMatchObject({ runs: 1, nextRunAt: null, lastRun: { outcome: 'ok', exitCode: 0 } });

    await supervisor.trigger('migrate');
    const runs = await finishedRuns(supervisor, 'migrate', 2);
    expect(runs.map((run) => run.trigger)).toEqual(['start', 'user']);
    expect(readFileSync(join(home, 'migrate.count'), 'utf8').trim()).toBe('2');
  });

  it('ignores a trigger while a run is going, and refuses runs and trigger on a service', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      counterJob(home, 'long', { JOB_MS: '3000' }),
      appSpec(home, { name: 'api', script: 'silent.js', namespace: 'front' }),
      appSpec(home, { name: 'web', script: 'silent.js', namespace: 'front' }),
    ]);
    await supervisor.trigger('long');
    const runs = await supervisor.runs('long');
    expect(runs.map((run: Run) => [run.seq, run.outcome])).toEqual([[1, 'running']]);
    await expect(supervisor.trigger('api')).rejects.toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT });
    // in the CLI's words, the options also in data for REST and MCP to name their own way
    await expect(supervisor.runs('api')).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: "'api' is not a job (start one with type: job, --schedule, --every or --timeout)",
      data: {
        target: 'api',
        options: [
          { option: 'schedule', value: '<cron>', text: '--schedule', lead: ', ' },
          { option: 'interval', value: '<duration>', text: '--every', lead: ', ' },
          { option: 'timeout', value: '<duration>', text: '--timeout', lead: ' or ' },
        ],
      },
    });
    // a namespace (or all) of services selects no job: it said "'front' is not a job"
    await expect(supervisor.runs('front')).rejects.toMatchObject({
      message: expect.stringContaining("'front' selects no job"),
    });
  });

  it('runs one instance of a job: a start or a scale to several is refused, nothing changed', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await expect(
      supervisor.start([{ ...counterJob(home, 'pair'), intervalMs: 60_000, instances: 2 }]),
    ).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: 'pair: a job runs one instance, never several at once: expected 1, got 2',
    });
    expect(await supervisor.list()).toEqual([]);

    await supervisor.start([{ ...counterJob(home, 'hourly', { JOB_MS: '3000' }), intervalMs: 3_600_000 }]);
    for (const count of ['3', '+1']) {
      await expect(supervisor.scale('hourly', count)).rejects.toMatchObject({
        code: ErrorCodes.INVALID_ARGUMENT,
        message: expect.stringMatching(
          /^scale hourly: a job runs one instance, never several at once: expected 1, got \d$/,
        ),
      });
    }
    expect((await supervisor.list()).map((info) => info.name)).toEqual(['hourly']);
    expect((await supervisor.runs('hourly')).map((run) => run.seq)).toEqual([1]);
  });

  it('deletes a job whose run history cannot be removed, saying so in the daemon log', async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    // a directory where the history file goes (or a jobs directory the daemon may not write: EACCES)
    const path = join(home, 'jobs', 'stuck.jsonl');
    mkdirSync(path, { recursive: true });
    await supervisor.start([{ ...counterJob(home, 'stuck'), schedule: '0 3 * * *' }]);
    // it failed with an internal error, every time: the job could never be deleted
    expect((await supervisor.delete('stuck')).map((info) => info.name)).toEqual(['stuck']);
    expect((await supervisor.list()).map((info) => info.name)).toEqual([]);
    expect(logLines.some((line) => line.includes(`cannot remove the run history ${path}: `))).toBe(true);
  });

  it('refuses runs that would not fit one answer, naming the --limit that fits and the history file', async () => {
    const home = harness.home();
    // 100 characters, 192 bytes: each run of its history takes about 350 bytes of JSON
    const name = `nightly-${'é'.repeat(92)}`;
    const since = Date.now() - 26_000 * 60_000;
    const lines = Array.from({ length: 26_000 }, (_, i) => {
      const run: JobRun = {
        seq: i + 1,
        pid: 100_000 + i,
        startedAt: since + i * 60_000,
        endedAt: since + i * 60_000 + 1234,
        exitCode: 0,
        signal: null,
        outcome: 'ok',
        trigger: 'schedule',
      };
      return `${JSON.stringify(run)}\n`;
    });
    mkdirSync(join(home, 'jobs'), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'jobs', `${name}.jsonl`), lines.join(''), { mode: 0o600 });
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([{ ...counterJob(home, name), schedule: '0 3 * * *', jobHistory: 30_000 }]);

    // 9 MB of runs went out in a frame over the protocol's 16 MiB with the name's bytes: refused there
    const error = await supervisor.runs(name).then(
      () => null,
      (caught: unknown) => caught as { code: string; message: string; data: { limit: number } },
    );
    expect(error?.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    const fit = error!.data.limit;
    expect(error!.message).toMatch(
      /^runs: the newest 26000 runs come to 8\.\d MiB, more than one answer holds \(8 MiB\): ask for at most (\d+) \(--limit \1\), or read the history file /,
    );
    expect(error!.message.endsWith(join(home, 'jobs', `${name}.jsonl`))).toBe(true);
    expect(fit).toBeGreaterThan(20_000);
    expect(fit).toBeLessThan(26_000);
    const runs = await supervisor.runs(name, fit);
    expect([runs.length, runs[0]!.seq, runs.at(-1)!.seq]).toEqual([fit, 26_000, 26_001 - fit]);
    expect((await supervisor.runs(name, 20)).map((run) => run.seq)[0]).toBe(26_000);
  });

  it('refuses a schedule that never fires (no date matches it)', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await expect(
      supervisor.start([{ ...counterJob(home, 'feb30'), schedule: '0 0 30 2 *' }]),
    ).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: "schedule '0 0 30 2 *' is not valid: it never fires: no date from now on matches it",
    });
    expect(await supervisor.list()).toEqual([]);
  });

  it('stop turns the schedule off (and stops a run), start turns it on again', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([{ ...counterJob(home, 'every'), intervalMs: 150 }]);
    await finishedRuns(supervisor, 'every', 2);
    const [stopped] = await supervisor.stop('every');
    expect(stopped).toMatchObject({ status: 'stopped', job: { nextRunAt: null } });
    const count = (await supervisor.runs('every')).length;
    // Asserting that nothing happens: wait three intervals (there is no state to poll for).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await supervisor.runs('every')).length).toBe(count);
    expect((await rowOf(supervisor, 'every')).status).toBe('stopped');

    await supervisor.restart('every');
    await finishedRuns(supervisor, 'every', count + 1);
  });

  it('records a run ended by stop, restart or the daemon shutting down as stopped (an info event), not failed', async () => {
    const home = harness.home();
    const first = harness.track(createSupervisor({ home }));
    const long = { ...counterJob(home, 'long', { JOB_MS: '60000' }), intervalMs: 3_600_000 };
    const running = async (supervisor: Supervisor, seq: number) =>
      waitFor(
        async () => {
          const [run] = await supervisor.runs('long');
          return run?.seq === seq && run.outcome === 'running' && run.pid !== null ? run : null;
        },
        { what: `run ${seq} of long going` },
      );
    await first.start([long]);
    await running(first, 1);
    await first.stop('long');
    await first.restart('long');
    await running(first, 2);
    await first.restart('long');
    await running(first, 3);
    await first.save();
    await first.close();
    const ended = (await first.runs('long')).reverse();
    expect(ended.map((run) => [run.seq, run.outcome, run.signal])).toEqual([
      [1, 'stopped', 'SIGTERM'],
      [2, 'stopped', 'SIGTERM'],
      [3, 'stopped', 'SIGTERM'],
    ]);
    const { events } = await first.events({ kinds: ['job.finished'], limit: 10 });
    expect(events.map((event) => [event.severity, event.fields?.outcome])).toEqual([
      ['info', 'stopped'],
      ['info', 'stopped'],
      ['info', 'stopped'],
    ]);

    // the history on disk says so too: a new daemon loads the three runs as they ended
    const second = harness.track(createSupervisor({ home }));
    await second.restore();
    const loaded = (await second.runs('long')).filter((run) => run.seq <= 3).reverse();
    expect(loaded.map((run) => run.outcome)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('loads the run history again when a new supervisor restores the saved job', async () => {
    const home = harness.home();
    const first = harness.track(createSupervisor({ home }));
    await first.start([{ ...counterJob(home, 'kept'), intervalMs: 60_000 }]);
    await finishedRuns(first, 'kept', 1);
    await first.save();
    await first.close();

    const second = harness.track(createSupervisor({ home }));
    await second.restore();
    await second.trigger('kept');
    const runs = await finishedRuns(second, 'kept', 2);
    expect(runs.map((run) => [run.seq, run.trigger])).toEqual([
      [1, 'start'],
      [2, 'user'],
    ]);
  });

  it('keeps the phase of a restored interval job: no extra run at a daemon restart, the next one when due', async () => {
    const home = harness.home();
    const first = harness.track(createSupervisor({ home }));
    await first.start([{ ...counterJob(home, 'daily'), intervalMs: 86_400_000 }]);
    const [ran] = await finishedRuns(first, 'daily', 1);
    await first.save();
    await first.close();

    // a restart of the daemon (velos update, a reboot) used to run every interval job at once
    const second = harness.track(createSupervisor({ home }));
    await second.restore();
    expect((await second.runs('daily')).map((run) => run.seq)).toEqual([1]);
    const row = await rowOf(second, 'daily');
    expect(row.status).toBe('scheduled');
    expect(row.job?.nextRunAt).toBe(ran!.startedAt + 86_400_000);

    // a run the shutdown cut short did not run to its end: the restored job runs it again at once
    const long = { ...counterJob(home, 'cut', { JOB_MS: '60000' }), intervalMs: 86_400_000 };
    await second.start([long]);
    await waitFor(async () => (await rowOf(second, 'cut')).pid ?? null, { what: 'run 1 of cut going' });
    await second.save();
    await second.close();
    const third = harness.track(createSupervisor({ home }));
    await third.restore();
    expect((await third.runs('cut')).map((run) => [run.seq, run.outcome])).toEqual([
      [2, 'running'],
      [1, 'stopped'],
    ]);
    await third.stop('cut');
  });

  it('runs a restored cron job once at once when it was due while no daemon ran, not again at the next restore', async () => {
    const home = harness.home();
    // due once a minute, at a second 3 s or more from now: the first supervisor is gone by then
    const dueAt = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    const dueSecond = new Date(dueAt).getSeconds();
    const job = { ...counterJob(home, 'nightly'), schedule: `${dueSecond} * * * * *` };
    const first = harness.track(createSupervisor({ home }));
    await first.start([job]);
    await first.save();
    await first.close();
    expect(await first.runs('nightly')).toEqual([]);
    await waitFor(async () => (Date.now() > dueAt + 200 ? true : null), {
      what: 'the due time gone by',
      timeoutMs: 10_000,
    });

    // a daemon restart (velos update, a reboot) across the due time used to skip that day's run
    const second = harness.track(createSupervisor({ home }));
    await second.restore();
    const [caughtUp] = await finishedRuns(second, 'nightly', 1, 5000);
    expect([caughtUp!.seq, caughtUp!.trigger, caughtUp!.outcome]).toEqual([1, 'schedule', 'ok']);
    const row = await rowOf(second, 'nightly');
    expect([row.status, (row.job!.nextRunAt! - Date.now()) / 1000 > 50]).toEqual(['scheduled', true]);
    await second.save();
    await second.close();

    // its run made it up: the next restore has nothing to make up
    const third = harness.track(createSupervisor({ home }));
    await third.restore();
    await waitFor(async () => (await rowOf(third, 'nightly')).job?.nextRunAt ?? null, {
      what: 'the schedule of nightly armed',
    });
    expect((await third.runs('nightly')).map((run) => run.seq)).toEqual([1]);
  });

  it('does not make up a cron time for a job velos resurrect brings back into a running daemon', async () => {
    const home = harness.home();
    const dueAt = Math.ceil((Date.now() + 2000) / 1000) * 1000;
    const job = { ...counterJob(home, 'weekly'), schedule: `${new Date(dueAt).getSeconds()} * * * * *` };
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([job]);
    await supervisor.save();
    await supervisor.delete('weekly');
    await waitFor(async () => (Date.now() > dueAt + 200 ? true : null), { what: 'the due time gone by' });
    // the daemon ran all along: the job was deleted at its time, not missed by a daemon that was down
    await supervisor.resurrect();
    await waitFor(async () => (await rowOf(supervisor, 'weekly')).job?.nextRunAt ?? null, {
      what: 'the schedule of weekly armed',
    });
    expect(await supervisor.runs('weekly')).toEqual([]);
  });

  it('a restored interval job whose dependency fails is started afresh later: it runs at once', async () => {
    const home = harness.home();
    const first = harness.track(createSupervisor({ home }));
    // a one-shot whose first run exits 0 and second 1
    await first.start([counterJob(home, 'migrate', { EXIT_CODES: '0,1' })]);
    await finishedRuns(first, 'migrate', 1);
    await first.start([
      {
        ...counterJob(home, 'nightly'),
        intervalMs: 86_400_000,
        dependsOn: [{ name: 'migrate', condition: 'completed_successfully' }],
      },
    ]);
    await finishedRuns(first, 'nightly', 1);
    await first.trigger('migrate');
    await finishedRuns(first, 'migrate', 2);
    await first.save();
    await first.close();

    // restored with its dependency's latest run failed: the job is errored, its restore over (a
    // dependency the state keeps stopped is no failure at a restore: it is not waited for)
    const second = harness.track(createSupervisor({ home }));
    await second.restore();
    await waitFor(async () => ((await rowOf(second, 'nightly')).status === 'errored' ? true : null), {
      what: 'nightly errored by its dependency',
    });
    await second.restart('migrate');
    await second.restart('nightly');
    // a start by the user runs an interval job at once (it used to wait for the restored phase: a day)
    const runs = await finishedRuns(second, 'nightly', 2);
    expect(runs.map((run) => [run.seq, run.trigger])).toEqual([
      [1, 'start'],
      [2, 'start'],
    ]);
  });
});
