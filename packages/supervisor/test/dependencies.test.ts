import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppSpec, ErrorCodes, NESTED_DEFAULTS } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';
import { events, readyWhenFile, recorder } from './order-file.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** Waits until every app in `names` has written its start line (it is then listening for SIGTERM). */
function waitForStarts(home: string, names: string[]): Promise<boolean> {
  return waitFor(() => names.every((name) => events(home).includes(`start ${name}`)), {
    what: `${names.join(', ')} to start`,
  });
}

async function statusOf(supervisor: Supervisor, name: string): Promise<string | undefined> {
  return (await supervisor.list()).find((info) => info.name === name)?.status;
}

describe('depends_on (SUP-12)', () => {
  it('starts apps after their dependencies, whatever their order in the start', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
    await supervisor.start([
      recorder(home, 'c', [{ name: 'b', condition: 'started' }]),
      recorder(home, 'b', [{ name: 'a', condition: 'started' }]),
      recorder(home, 'a'),
    ]);
    await waitForStarts(home, ['a', 'b', 'c']);
    const rows = await supervisor.list();
    expect(rows.map((info) => info.status)).toEqual(['online', 'online', 'online']);
    const startedAt = (name: string) => rows.find((info) => info.name === name)!.startedAt!;
    expect(startedAt('a')).toBeLessThanOrEqual(startedAt('b'));
    expect(startedAt('b')).toBeLessThanOrEqual(startedAt('c'));
    const met = logLines.filter((line) => line.includes('dependencies met'));
    expect(met).toEqual([
      'b: dependencies met (a (started)): starting',
      'c: dependencies met (b (started)): starting',
    ]);
  });

  it('holds an app with condition healthy until the readiness probe of its dependency passes', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
    const readyFile = join(home, 'db-ready');
    const db = readyWhenFile(home, readyFile);
    const started = await supervisor.start([
      db,
      recorder(home, 'api', [{ name: 'db', condition: 'healthy' }]),
    ]);
    // the start's own answer says it waits, as list does (`velos start --ai`, MCP process_start)
    expect(started.find((p) => p.name === 'api')!.waitingFor?.map((w) => w.name)).toEqual(['db']);
    expect(started.find((p) => p.name === 'db')!.waitingFor).toBeUndefined();
    await waitFor(async () => (await statusOf(supervisor, 'db')) === 'online', { what: 'db online' });
    // online is the spawn: on a loaded machine db's own line comes later
    await waitForStarts(home, ['db']);
    expect(logLines).toContain('api: waiting for db (healthy)');
    // db is online but not ready: api must still wait after several probe periods (nothing to poll for).
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await statusOf(supervisor, 'api')).toBe('starting');
    expect(events(home)).toEqual(['start db']);
    // describe says what it waits for and why: db runs, but its readiness probe fails (once its first
    // check has run: on a loaded machine the 600 ms above may pass before it, `online, not ready yet`)
    await waitFor(
      async () =>
        (await supervisor.describe('api'))[0]!.waitingFor?.[0]?.state.includes('readiness') === true,
      { what: "db's first failed readiness check" },
    );
    const [waiting] = await supervisor.describe('api');
    expect(waiting!.waitingFor).toEqual([
      { name: 'db', condition: 'healthy', state: 'online, not ready (readiness: exit code 1)' },
    ]);
    // and so does list, for the app that waits only (velos list shows it)
    const listed = await supervisor.list();
    expect(listed.find((p) => p.name === 'api')!.waitingFor).toEqual(waiting!.waitingFor);
    expect(listed.find((p) => p.name === 'db')!.waitingFor).toBeUndefined();
    // and so do the other answers that list processes (stop, restart, reload, scale, reset, …)
    const reset = await supervisor.reset('all');
    expect(reset.find((p) => p.name === 'api')!.waitingFor).toEqual(waiting!.waitingFor);
    expect(reset.find((p) => p.name === 'db')!.waitingFor).toBeUndefined();

    writeFileSync(readyFile, 'ok');
    await waitFor(async () => (await statusOf(supervisor, 'api')) === 'online', { what: 'api online' });
    await waitForStarts(home, ['api']);
    expect(events(home)).toEqual(['start db', 'start api']);
    expect((await supervisor.describe('api'))[0]!.waitingFor).toBeUndefined();
    expect((await supervisor.list()).find((p) => p.name === 'api')!.waitingFor).toBeUndefined();
  });

  it('refuses to trigger a job still waiting for its dependencies, and keeps its wait and schedule', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
    const readyFile = join(home, 'db-ready');
    const db = readyWhenFile(home, readyFile);
    const migrate: AppSpec = appSpec(home, {
      name: 'migrate',
      script: 'job-counter.js',
      type: 'job',
      intervalMs: 3_600_000,
      dependsOn: [{ name: 'db', condition: 'healthy' }],
      env: { COUNTER_FILE: join(home, 'migrate.count') },
    });
    await supervisor.start([db, migrate]);
    await waitFor(async () => (await statusOf(supervisor, 'db')) === 'online', { what: 'db online' });
    await expect(supervisor.trigger('migrate')).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: 'migrate waits for db (healthy); not triggered',
    });
    await expect(supervisor.trigger('all')).rejects.toMatchObject({
      message: 'migrate waits for db (healthy); not triggered',
    });
    expect(await statusOf(supervisor, 'migrate')).toBe('starting');
    expect(await supervisor.runs('migrate')).toEqual([]);

    writeFileSync(readyFile, 'ok');
    await waitFor(async () => (await supervisor.runs('migrate')).some((run) => run.outcome === 'ok'), {
      what: 'the first run of migrate',
    });
    expect(logLines).toContain('migrate: dependencies met (db (healthy)): starting');
    expect((await supervisor.runs('migrate')).map((run) => [run.seq, run.trigger])).toEqual([[1, 'start']]);
    const [row] = await waitFor(async () => {
      const rows = (await supervisor.list()).filter((info) => info.name === 'migrate');
      return rows[0]?.status === 'scheduled' ? rows : null;
    });
    expect(row!.job!.nextRunAt).toBeGreaterThan(Date.now());
  });

  it('starts an app after a one-shot job completed successfully, and never after a failing one', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const job = (name: string, exitCodes: string): AppSpec =>
      appSpec(home, {
        name,
        script: 'job-counter.js',
        type: 'job',
        env: { COUNTER_FILE: join(home, `${name}.count`), JOB_MS: '500', EXIT_CODES: exitCodes },
      });
    const done = { condition: 'completed_successfully' as const };
    await supervisor.start([
      recorder(home, 'web', [{ name: 'migrate', ...done }]),
      recorder(home, 'worker', [{ name: 'broken', ...done }]),
      job('migrate', '0'),
      job('broken', '3'),
    ]);
    await waitForStarts(home, ['web']);
    const [migration] = await supervisor.runs('migrate');
    const webStart = Number(readFileSync(join(home, 'order.txt'), 'utf8').split(' ')[3]);
    expect(migration).toMatchObject({ outcome: 'ok' });
    expect(webStart).toBeGreaterThanOrEqual(migration!.endedAt!);

    await waitFor(async () => (await statusOf(supervisor, 'worker')) === 'errored', {
      what: 'worker errored',
    });
    const [worker] = await supervisor.describe('worker');
    expect(worker!.pid).toBeNull();
    const note = await waitFor(() => {
      const text = existsSync(worker!.errLogPath) ? readFileSync(worker!.errLogPath, 'utf8') : '';
      return text.includes('velos: not started') ? text : null;
    });
    expect(note).toContain("dependency 'broken' did not complete successfully: its run 1 exited with code 3");
    expect(events(home)).toEqual(['start web']);
  });

  // it said "ended after a daemon crash" of a run a velos update handed over, no crash at all
  it("fails a dependant of a job whose latest run's exit code is unknown, saying a daemon took it over", async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    const run = { seq: 1, pid: 4242, startedAt: Date.now() - 60_000, endedAt: Date.now() - 1000 };
    const taken = { ...run, exitCode: null, signal: null, outcome: 'unknown', trigger: 'schedule' };
    mkdirSync(join(home, 'jobs'), { recursive: true });
    writeFileSync(join(home, 'jobs', 'backup.jsonl'), `${JSON.stringify(taken)}\n`);
    await supervisor.start([
      appSpec(home, { name: 'backup', script: 'job-counter.js', type: 'job', schedule: '0 3 * * *' }),
      recorder(home, 'report', [{ name: 'backup', condition: 'completed_successfully' }]),
    ]);
    await waitFor(async () => (await statusOf(supervisor, 'report')) === 'errored', {
      what: 'report errored',
    });
    expect(logLines).toContain(
      "report: not started: dependency 'backup' did not complete successfully: its run 1 ended under a daemon that took it over (after velos update or a crash), its exit code unknown",
    );
  });

  it('counts a one-shot job that ran as started, also for a daemon that restores it stopped', async () => {
    const home = harness.home();
    const first = harness.track(createSupervisor({ home }));
    const migrate = appSpec(home, {
      name: 'migrate',
      script: 'job-counter.js',
      type: 'job',
      env: { COUNTER_FILE: join(home, 'migrate.count') },
    });
    await first.start([recorder(home, 'web', [{ name: 'migrate', condition: 'started' }]), migrate]);
    await waitForStarts(home, ['web']);
    await waitFor(async () => (await statusOf(first, 'migrate')) === 'stopped', { what: 'migrate done' });
    await first.save();
    await first.close();

    // the restored one-shot is stopped (it ran): web used to end errored, "dependency 'migrate' is stopped"
    const second = harness.track(createSupervisor({ home }));
    await second.restore();
    await waitFor(async () => (await statusOf(second, 'web')) === 'online', { what: 'web online again' });
    expect(await statusOf(second, 'migrate')).toBe('stopped');
    expect((await second.runs('migrate')).length).toBe(1);
  });

  it('rejects a cycle or an unknown name before starting anything', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await expect(
      supervisor.start([
        recorder(home, 'a', [{ name: 'b', condition: 'started' }]),
        recorder(home, 'b', [{ name: 'c', condition: 'started' }]),
        recorder(home, 'c', [{ name: 'a', condition: NESTED_DEFAULTS.dependencyCondition }]),
      ]),
    ).rejects.toMatchObject({
      code: ErrorCodes.INVALID_CONFIG,
      message: 'depends_on cycle: a -> b -> c -> a',
    });
    await expect(
      supervisor.start([recorder(home, 'a'), recorder(home, 'b', [{ name: 'nope', condition: 'started' }])]),
    ).rejects.toMatchObject({
      code: ErrorCodes.INVALID_CONFIG,
      message: "app 'b': depends_on 'nope', which is neither in this start nor in the daemon",
    });
    // a typo of an app's name says which one it was likely meant to be
    await expect(
      supervisor.start([recorder(home, 'db'), recorder(home, 'b', [{ name: 'dbb', condition: 'started' }])]),
    ).rejects.toMatchObject({
      code: ErrorCodes.INVALID_CONFIG,
      message:
        "app 'b': depends_on 'dbb', which is neither in this start nor in the daemon (did you mean 'db'?)",
    });
    expect(await supervisor.list()).toEqual([]);
    expect(events(home)).toEqual([]);
  });

  it('accepts a dependency already in the daemon', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([recorder(home, 'db')]);
    await supervisor.start([recorder(home, 'api', [{ name: 'db', condition: 'started' }])]);
    await waitForStarts(home, ['db', 'api']);
    expect(await statusOf(supervisor, 'api')).toBe('online');
  });

  it('stops all in reverse dependency order; stopping one app does not cascade', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      recorder(home, 'a'),
      recorder(home, 'b', [{ name: 'a', condition: 'started' }]),
      recorder(home, 'c', [{ name: 'b', condition: 'started' }]),
      recorder(home, 'x'),
    ]);
    await waitForStarts(home, ['a', 'b', 'c', 'x']);
    await supervisor.stop('a');
    expect(await statusOf(supervisor, 'b')).toBe('online');
    await supervisor.restart('a');
    await waitFor(() => events(home).filter((event) => event === 'start a').length === 2, {
      what: 'a to start again',
    });
    await supervisor.stop('all');
    const stops = events(home).filter((event) => event.startsWith('stop') && event !== 'stop x');
    expect(stops).toEqual(['stop a', 'stop c', 'stop b', 'stop a']);
  });
});
