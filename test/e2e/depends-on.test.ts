import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  errLog,
  FIXTURES,
  killDaemon,
  listState,
  readLines,
  sharedHome,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

/** Writes a config file in `home/project` and returns its path. */
function writeConfig(home: string, file: string, text: string): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

function fixture(home: string, name: string): string {
  return relative(join(home, 'project'), join(FIXTURES, name));
}

/** The "start <name>" / "stop <name>" events the order-recorder fixtures wrote. */
function events(home: string): string[] {
  return readLines(join(home, 'order.txt')).map((line) => line.split(' ').slice(0, 2).join(' '));
}

function waitForEvents(home: string, wanted: string[]): Promise<true> {
  return waitFor(() => wanted.every((event) => events(home).includes(event)) || undefined, {
    message: wanted.join(', '),
  });
}

describe('depends_on (SUP-12)', () => {
  // one daemon for the tests that do not kill it: each starts and ends without apps, and its apps have
  // names of their own (in daemon.log); only the job test's apps write order.txt
  const shared = sharedHome();

  it('starts a config in dependency order and kill stops it in reverse order', async () => {
    const home = createHome();
    const recorder = fixture(home, 'order-recorder.js');
    const config = writeConfig(
      home,
      'apps.yaml',
      `apps:
  - name: c
    script: ${recorder}
    depends_on: b
  - name: b
    script: ${recorder}
    depends_on: [a]
  - name: a
    script: ${recorder}
`,
    );
    await velosOk(['start', config], { home, env: { ORDER_FILE: join(home, 'order.txt') } });
    await waitForEvents(home, ['start a', 'start b', 'start c']);
    const rows = await listState(home);
    const startedAt = (name: string) =>
      (rows.find((row) => row.name === name) as unknown as { startedAt: number }).startedAt;
    expect(startedAt('a')).toBeLessThanOrEqual(startedAt('b'));
    expect(startedAt('b')).toBeLessThanOrEqual(startedAt('c'));
    const daemonLog = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(daemonLog).toContain('b: waiting for a (started)');
    expect(daemonLog.indexOf('b: dependencies met')).toBeLessThan(daemonLog.indexOf('c: dependencies met'));

    // several targets are one selection, stopped in waves whatever their order on the line
    await velosOk(['stop', 'a', 'b', 'c'], { home });
    expect(events(home).filter((event) => event.startsWith('stop'))).toEqual(['stop c', 'stop b', 'stop a']);
    // and restarted as one: the stopped apps start dependencies first, whatever the order given
    await velosOk(['restart', 'c', 'b', 'a'], { home });
    await waitFor(() => events(home).filter((event) => event.startsWith('start')).length === 6 || undefined, {
      message: 'a, b and c to start again',
    });
    const again = await listState(home);
    const restartedAt = (name: string) =>
      (again.find((row) => row.name === name) as unknown as { startedAt: number }).startedAt;
    expect(restartedAt('a')).toBeLessThanOrEqual(restartedAt('b'));
    expect(restartedAt('b')).toBeLessThanOrEqual(restartedAt('c'));
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain('c: waiting for b (started)');

    // what `velos kill` sends (and it waits for the daemon to exit), without a CLI process
    await killDaemon(home);
    expect(events(home).filter((event) => event.startsWith('stop'))).toEqual([
      ...['stop c', 'stop b', 'stop a'],
      ...['stop c', 'stop b', 'stop a'],
    ]);
  });

  it('waits for a job to complete successfully, and marks a dependent of a failing job errored', async () => {
    const home = shared();
    await clearApps(home);
    const recorder = fixture(home, 'order-recorder.js');
    const job = fixture(home, 'job-counter.js');
    const config = writeConfig(
      home,
      'velos.toml',
      `[[apps]]
name = "web"
script = "${recorder}"
depends_on = { migrate = "completed_successfully" }

[[apps]]
name = "worker"
script = "${recorder}"
depends_on = [{ name = "broken", condition = "completed_successfully" }]

[[apps]]
name = "migrate"
script = "${job}"
type = "job"
env = { COUNTER_FILE = "${join(home, 'migrate.count')}", JOB_MS = "600" }

[[apps]]
name = "broken"
script = "${job}"
type = "job"
env = { COUNTER_FILE = "${join(home, 'broken.count')}", EXIT_CODES = "4" }
`,
    );
    const started = await velos(['start', config], { home, env: { ORDER_FILE: join(home, 'order.txt') } });
    // broken may fail before the start prints its table: the start then fails naming worker (exit 1)
    if (started.code !== 0) {
      expect([started.code, started.stderr.trimEnd()]).toEqual([
        1,
        "velos: worker: not started: dependency 'broken' did not complete successfully: its run 1 exited with code 4",
      ]);
    }
    // velos start answers while web still waits for the migration: its table says so, and for what
    expect(started.stdout).toMatch(/\bweb\s+-\s+waiting\b/);
    expect(started.stdout).toMatch(/^web waits for migrate \(completed_successfully\): /m);
    await waitForEvents(home, ['start web']);
    const worker = await waitForStatus(home, 'worker', 'errored');
    expect(worker.pid).toBeNull();
    await waitFor(() => readLines(errLog(home, 'worker')).some((line) => line.includes('not started')), {
      message: 'the note in the err log of worker',
    });
    expect(readLines(errLog(home, 'worker'))).toContain(
      "velos: not started: dependency 'broken' did not complete successfully: its run 1 exited with code 4",
    );
    expect(events(home)).toEqual(['start web']);
    await clearApps(home);
  });

  it('refuses to trigger a job waiting for its dependencies; its wait and schedule go on until they are met', async () => {
    const home = shared();
    await clearApps(home);
    const readyFile = join(home, 'db-ready');
    const config = writeConfig(
      home,
      'apps.yaml',
      `apps:
  - name: db
    script: ${fixture(home, 'silent.js')}
    readiness_probe: { exec: "test -f ${readyFile}", interval: 100ms }
  - name: mig2
    script: ${fixture(home, 'job-counter.js')}
    type: job
    interval: 1h
    env: { COUNTER_FILE: "${join(home, 'mig2.count')}" }
    depends_on: { db: healthy }
`,
    );
    await velosOk(['start', config], { home });
    await waitFor(
      () => readLines(join(home, 'daemon.log')).some((line) => line.includes('mig2: waiting for db')),
      {
        message: 'mig2 waiting for db',
      },
    );
    const trigger = await velos(['trigger', 'mig2'], { home });
    expect([trigger.code, trigger.stderr.trimEnd()]).toEqual([
      1,
      'velos: mig2 waits for db (healthy); not triggered',
    ]);
    const waiting = (await listState(home)).find((row) => row.name === 'mig2');
    expect(waiting).toMatchObject({ status: 'starting', pid: null });
    expect(readLines(join(home, 'mig2.count'))).toEqual([]);

    writeFileSync(readyFile, 'ok');
    await waitForStatus(home, 'mig2', 'scheduled');
    expect(readLines(join(home, 'daemon.log')).join('\n')).toContain(
      'mig2: dependencies met (db (healthy)): starting',
    );
    const runs = JSON.parse((await velosOk(['runs', 'mig2', '--json'], { home })).stdout) as {
      trigger: string;
    }[];
    expect(runs.map((run) => run.trigger)).toEqual(['start']);
    await clearApps(home);
  });

  it('skips the scheduled runs of a job and refuses its trigger while a dependency is stopped', async () => {
    const home = shared();
    await clearApps(home);
    const counter = join(home, 'sjob.count');
    const config = writeConfig(
      home,
      'sjob.yaml',
      `apps:
  - name: sdb
    script: ${fixture(home, 'silent.js')}
  - name: sjob
    script: ${fixture(home, 'job-counter.js')}
    type: job
    interval: 300ms
    env: { COUNTER_FILE: "${counter}" }
    depends_on: sdb
`,
    );
    const runCount = () => Number(readLines(counter)[0] ?? 0);
    await velosOk(['start', config], { home });
    await waitFor(() => runCount() >= 1 || undefined, { message: 'the first run of sjob' });
    await velosOk(['stop', 'sdb'], { home });
    const trigger = await velos(['trigger', 'sjob'], { home });
    expect([trigger.code, trigger.stderr.trimEnd()]).toEqual([
      1,
      "velos: sjob: dependency 'sdb' is stopped; not triggered (--force runs it anyway)",
    ]);
    const skips = () =>
      readLines(join(home, 'daemon.log')).filter((line) =>
        line.includes("(sjob): run skipped (interval): dependency 'sdb' is stopped"),
      ).length;
    await waitFor(() => skips() >= 1 || undefined, { message: 'a skipped run of sjob' });
    const ranBefore = runCount();
    await waitFor(() => skips() >= 2 || undefined, { message: 'a second skipped run of sjob' });
    expect(runCount()).toBe(ranBefore);
    expect(readFileSync(errLog(home, 'sjob'), 'utf8')).toContain(
      "velos: run skipped (interval): dependency 'sdb' is stopped",
    );
    // the history shows them: the skips in a row as one entry, why and how many times (a busy machine
    // may add skips of a run slowed past the interval, with their own reason)
    const history = JSON.parse((await velosOk(['runs', 'sjob', '--json'], { home })).stdout) as {
      outcome: string;
      trigger: string;
      reason?: string;
      skips?: number;
      pid: number | null;
    }[];
    // (a dependency slow to stop may first skip one as stopping, an entry of its own)
    const skipped = history.filter(
      (run) => run.outcome === 'skipped' && run.reason === "dependency 'sdb' is stopped",
    );
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      trigger: 'interval',
      reason: "dependency 'sdb' is stopped",
      pid: null,
    });
    expect(skipped[0]!.skips).toBeGreaterThanOrEqual(2);
    const table = (await velosOk(['runs', 'sjob'], { home })).stdout;
    expect(table.split('\n')[0]).toMatch(/outcome\s+trigger\s+pid\s+note$/);
    expect(table).toMatch(
      /skipped\s+interval\s+-\s+dependency 'sdb' is stopped, \d+ times until \d\d:\d\d:\d\d/,
    );
    // --force runs it all the same, recorded as forced; its schedule goes on skipping
    const forced = await velosOk(['trigger', 'sjob', '--force'], { home });
    expect(forced.stdout).toMatch(/^sjob: run \d+ started \(pid \d+\)$/m);
    const ranForced = await waitFor(
      async () => {
        const rows = JSON.parse((await velosOk(['runs', 'sjob', '--json'], { home })).stdout) as {
          trigger: string;
          forced?: boolean;
          outcome: string;
        }[];
        return rows.find((run) => run.trigger === 'user' && run.outcome !== 'running');
      },
      { message: 'the forced run of sjob to end' },
    );
    expect(ranForced).toMatchObject({ trigger: 'user', forced: true, outcome: 'ok' });
    expect((await velosOk(['runs', 'sjob'], { home })).stdout).toMatch(/\bok\s+user \(forced\)\s+\d+/);
    // the dependency back, the runs go on
    await velosOk(['start', 'sdb'], { home });
    await waitFor(() => runCount() > ranBefore || undefined, { message: 'sjob to run again' });
    await clearApps(home);
  });

  it('a start whose app ends errored, its dependency failed, exits 1 naming it (as docker compose up)', async () => {
    const home = shared();
    await clearApps(home);
    // the config file's scripts are relative to its folder; the CLI's to the test's cwd
    const silent = fixture(home, 'silent.js');
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'xdb'], { home });
    await velosOk(['stop', 'xdb'], { home });
    const config = writeConfig(
      home,
      'xapi.yaml',
      `apps:
  - name: xapi
    script: ${silent}
    depends_on: xdb
  - name: xother
    script: ${silent}
`,
    );
    const started = await velos(['start', config], { home });
    expect([started.code, started.stderr.trimEnd()]).toEqual([
      1,
      "velos: xapi: not started: dependency 'xdb' is stopped",
    ]);
    // the table is printed all the same, the other app of the file running
    expect(started.stdout).toMatch(/\bxapi\b.*\berrored\b/);
    expect(started.stdout).toMatch(/\bxother\b.*\bonline\b/);
    // with the dependency back, the same start goes through
    await velosOk(['delete', 'xapi'], { home });
    await velosOk(['start', 'xdb'], { home });
    await velosOk(['start', config, '--only', 'xapi'], { home });
    await clearApps(home);
  });

  it('start --wait waits until every app is up, and exits 1 naming an app errored or not up in time', async () => {
    const home = shared();
    await clearApps(home);
    const silent = fixture(home, 'silent.js');
    const job = fixture(home, 'job-counter.js');
    const file = (name: string, exitCode: number, jobMs: number) =>
      writeConfig(
        home,
        `${name}.yaml`,
        `apps:
  - name: ${name}mig
    script: ${job}
    type: job
    env: { COUNTER_FILE: "${join(home, `${name}.count`)}", EXIT_CODES: "${exitCode}", JOB_MS: "${jobMs}" }
  - name: ${name}api
    script: ${silent}
    depends_on: { ${name}mig: completed_successfully }
`,
      );
    // the migration ends well: the start answers once api is online (without --wait it is listed waiting)
    const good = await velosOk(['start', file('w', 0, 300), '--wait'], { home });
    expect(good.stdout).toMatch(/\bwapi\b.*\bonline\b/);
    expect(good.stdout).not.toMatch(/\bwaiting\b/);
    // it fails: api ends errored, said after the table
    const bad = await velos(['start', file('f', 3, 300), '--wait'], { home });
    expect([bad.code, bad.stderr.trimEnd()]).toEqual([
      1,
      "velos: fapi: not started: dependency 'fmig' did not complete successfully: its run 1 exited with code 3",
    ]);
    expect(bad.stdout).toMatch(/\bfapi\b.*\berrored\b/);
    // not up in time: named with what it waits for
    const slow = await velos(['start', file('s', 0, 20_000), '--wait-timeout', '1s'], { home });
    expect(slow.code).toBe(1);
    expect(slow.stderr.trimEnd()).toMatch(
      /^velos: --wait: not up after 1s: sapi waits for smig \(completed_successfully\): .+ \(--wait-timeout sets how long\)$/,
    );
    const refused = await velos(['start', file('r', 0, 300), '--wait-timeout', '5'], { home });
    expect([refused.code, refused.stderr.trimEnd()]).toEqual([
      2,
      'velos: --wait-timeout: expected a duration with a unit like 30s or 2m, got "5"',
    ]);
    await clearApps(home);
  });

  it('--only starts the apps of the file its apps depend on, those the daemon lacks, each said in a line', async () => {
    const home = shared();
    await clearApps(home);
    const silent = fixture(home, 'silent.js');
    const config = writeConfig(
      home,
      'only.yaml',
      `apps:
  - name: odb
    script: ${silent}
  - name: oapi
    script: ${silent}
    depends_on: odb
  - name: oweb
    script: ${silent}
    depends_on: oapi
  - name: oother
    script: ${silent}
`,
    );
    const first = await velosOk(['start', config, '--only', 'oweb'], { home });
    expect(first.stderr.trimEnd().split('\n')).toEqual([
      'velos: also starting oapi (oweb depends on it)',
      'velos: also starting odb (oapi depends on it)',
    ]);
    await waitForStatus(home, 'oweb', 'online');
    expect((await listState(home)).map((row) => [row.name, row.status])).toEqual([
      ['odb', 'online'],
      ['oapi', 'online'],
      ['oweb', 'online'],
    ]);
    // a dependency the daemon has already is left to it: the start neither refuses nor repeats it
    await velosOk(['delete', 'oweb', 'oapi'], { home });
    const second = await velosOk(['start', config, '--only', 'oweb'], { home });
    expect(second.stderr.trimEnd()).toBe('velos: also starting oapi (oweb depends on it)');
    const web = JSON.parse((await velosOk(['describe', 'oweb', '--json'], { home })).stdout) as {
      spec: { source: { only: string[] } };
    }[];
    expect(web[0]!.spec.source.only).toEqual(['oapi', 'oweb']);
    // one the daemon has stopped is started, as `docker compose up` starts it (oapi ended errored)
    await velosOk(['stop', 'odb'], { home });
    await velosOk(['delete', 'oweb', 'oapi'], { home });
    const third = await velosOk(['start', config, '--only', 'oweb'], { home });
    expect(third.stderr.trimEnd().split('\n')).toEqual([
      'velos: also starting oapi (oweb depends on it)',
      'velos: also starting odb (oapi depends on it)',
    ]);
    await waitForStatus(home, 'oweb', 'online');
    expect((await listState(home)).map((row) => [row.name, row.status])).toEqual([
      ['odb', 'online'],
      ['oapi', 'online'],
      ['oweb', 'online'],
    ]);
    await clearApps(home);
  });

  it('rejects a cycle in one line and starts nothing', async () => {
    const home = shared();
    await clearApps(home);
    const silent = fixture(home, 'silent.js');
    const config = writeConfig(
      home,
      'apps.yaml',
      `apps:
  - name: a
    script: ${silent}
    depends_on: b
  - name: b
    script: ${silent}
    depends_on: a
  - name: free
    script: ${silent}
`,
    );
    const result = await velos(['start', config], { home });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd()).toBe('velos: depends_on cycle: a -> b -> a');
    expect(await listState(home)).toEqual([]);
  });
});
