import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  deleteApps,
  FIXTURES,
  isAlive,
  listState,
  outLog,
  sharedHome,
  spawnVelos,
  waitFor,
  waitForStatus,
} from './helpers.js';
import { copyCorpus, serverReports, specOf, velosIn, warningsOf } from './pm2-helpers.js';

afterEach(cleanupHomes);

/** The app `velos start … --dry-run` resolves (flags are validated without a daemon). */
async function dryRun(dir: string, home: string, flags: string[]): Promise<Record<string, unknown>> {
  const result = await velosIn(dir, home, ['start', 'server.js', '--dry-run', ...flags]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as Record<string, unknown>[])[0]!;
}

// Issue #14: PM2's `start` flags, with PM2's documented semantics.
describe('PM2 start flags', () => {
  // one daemon for the tests that start apps in the background: each in a copy of the corpus of its
  // own, with names of its own, deleted at its end
  const shared = sharedHome();

  it('map onto the app spec', async () => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'apps');
    const cpus = availableParallelism();
    expect(await dryRun(dir, home, ['--name', 'api', '-i', 'max'])).toMatchObject({
      name: 'api',
      instances: cpus,
      execMode: 'cluster',
    });
    // one --dry-run (a CLI process) per flag that sets a field no other flag of the same run sets
    const minusOne = await dryRun(dir, home, ['-i', '-1']);
    expect(minusOne.instances).toBe(Math.max(1, cpus - 1));
    // without --shutdown-with-message
    expect(minusOne.shutdownWithMessage).toBeUndefined();
    expect((await dryRun(dir, home, ['--instances', '0'])).instances).toBe(cpus);
    expect(await dryRun(dir, home, ['-i', '2', '-x'])).toMatchObject({ instances: 2, execMode: 'fork' });
    expect(
      await dryRun(dir, home, [
        '--max-memory-restart',
        '150M',
        '--cron',
        '0 4 * * *',
        '--no-autorestart',
        '-k',
        '2500',
        '--restart-delay',
        '300',
        '--exp-backoff-restart-delay',
        '150',
        '--max-restarts',
        '4',
        '--min-uptime',
        '3s',
        '--namespace',
        'team',
        '--listen-timeout',
        '4000',
        '--wait-ready',
        '--interpreter',
        'node',
        '--node-args',
        '--no-warnings --trace-exit',
        '--merge-logs',
        '--',
        'a',
        'b',
      ]),
    ).toMatchObject({
      maxMemoryBytes: 150 * 1024 * 1024,
      cronRestart: '0 4 * * *',
      autorestart: false,
      killTimeoutMs: 2500,
      restartDelayMs: 300,
      expBackoffRestartDelayMs: 150,
      maxRestarts: 4,
      minUptimeMs: 3000,
      namespace: 'team',
      listenTimeoutMs: 4000,
      waitReady: true,
      interpreter: 'node',
      interpreterArgs: ['--no-warnings', '--trace-exit'],
      // PM2's --merge-logs: the instances share the files; stdout and stderr stay apart
      mergeLogs: false,
      args: ['a', 'b'],
    });
    expect(
      await dryRun(dir, home, [
        '--kill-timeout',
        '1s',
        '--cron-restart',
        '5 * * * *',
        '--interpreter-args',
        '--inspect=0',
        '--shutdown-with-message',
      ]),
    ).toMatchObject({
      killTimeoutMs: 1000,
      cronRestart: '5 * * * *',
      interpreterArgs: ['--inspect=0'],
      shutdownWithMessage: true,
    });
    expect(await dryRun(dir, home, ['--watch', '--ignore-watch', 'tmp,*.bak', '--time'])).toMatchObject({
      watch: [dir],
      ignoreWatch: ['tmp', '*.bak'],
      logDateFormat: 'iso',
    });
    const short = await dryRun(dir, home, [
      '--watch=lib,src',
      '-c',
      '0 5 * * *',
      '--log-date-format',
      'YYYY-MM-DD HH:mm',
    ]);
    expect(short.watch).toEqual([join(dir, 'lib'), join(dir, 'src')]);
    expect(short.cronRestart).toBe('0 5 * * *');
    expect(short.logDateFormat).toBe('YYYY-MM-DD HH:mm');
    // PM2's --time wins over a --log-date-format beside it, as its time: true in a file
    const both = await velosIn(dir, home, [
      'start',
      'server.js',
      '--dry-run',
      '--log-date-format',
      'HH:mm',
      '--time',
    ]);
    expect(both.code, both.stderr).toBe(0);
    expect((JSON.parse(both.stdout) as Record<string, unknown>[])[0]!.logDateFormat).toBe('iso');
    expect(warningsOf(both)).toEqual([
      '--log-date-format: ignored: --time stamps the lines with ISO 8601 UTC times, as in PM2',
    ]);
    expect(
      await dryRun(dir, home, ['-o', 'o.log', '-e', 'e.log', '-l', 'all.log', '--pid', 'app.pid']),
    ).toMatchObject({
      outFile: join(dir, 'o.log'),
      errFile: join(dir, 'e.log'),
      logFile: join(dir, 'all.log'),
      pidFile: join(dir, 'app.pid'),
    });
    expect(
      await dryRun(dir, home, ['--output', 'o2.log', '--error', 'e2.log', '--log', 'a2.log', '-p', 'p2.pid']),
    ).toMatchObject({
      outFile: join(dir, 'o2.log'),
      errFile: join(dir, 'e2.log'),
      logFile: join(dir, 'a2.log'),
      pidFile: join(dir, 'p2.pid'),
    });
    // PM2's NULL is no file (not a file named NULL); a pid file at /dev/null is none, as the daemon
    // removes an app's pid file when its run ends (it removed the device)
    const nowhere = await dryRun(dir, home, ['-o', 'NULL', '-e', 'NULL', '-l', 'NULL', '--pid', 'NULL']);
    expect([nowhere.outFile, nowhere.errFile, nowhere.logFile, nowhere.pidFile]).toEqual([
      '/dev/null',
      '/dev/null',
      '/dev/null',
      undefined,
    ]);
    expect((await dryRun(dir, home, ['--pid', '/dev/null'])).pidFile).toBeUndefined();
  });

  it('refuse a bad cron expression naming the flag as typed, before a daemon starts', async () => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'apps');
    for (const flag of ['--cron', '--cron-restart', '-c']) {
      const result = await velosIn(dir, home, ['start', 'server.js', flag, 'bad']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^velos: ${flag}: expected a cron expression like "0 3 \\* \\* \\*", got "bad" \\(`),
      );
    }
    expect(existsSync(join(home, 'velos.sock'))).toBe(false);
  });

  it('take the flags of a PM2 deploy script: those Velos has no equivalent of with one warning, --instance-var', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-deploy'), 'apps');
    const result = await velosIn(dir, home, [
      'start',
      'server.js',
      '--name',
      'deploy',
      '--no-vizion',
      '--no-pmx',
      '--no-treekill',
      '--disable-trace',
      '--source-map-support',
      '--instance-var',
      'INSTANCE_ID',
      '--log-type',
      'json',
      '--filter-env=X',
      '--no-vizion',
    ]);
    expect(result.code, result.stderr).toBe(0);
    // worded as the warning for the same keys in a process file
    expect(warningsOf(result)).toEqual([
      'PM2 options with no Velos equivalent, ignored: --no-vizion, --no-treekill, --no-pmx, ' +
        '--disable-trace, --source-map-support, --log-type',
    ]);
    const [report] = await serverReports(outLog(home, 'deploy'));
    expect(report!.env.INSTANCE_ID).toBe('0');
    expect(await specOf(home, 'deploy')).toMatchObject({ instanceVar: 'INSTANCE_ID', autorestart: true });

    // PM2's --no-autostart (no --no-autorestart): the app is added stopped, velos start <name> starts it
    const held = await velosIn(dir, home, ['start', 'server.js', '--name', 'held', '--no-autostart']);
    expect(held.code, held.stderr).toBe(0);
    expect(warningsOf(held)).toEqual([]);
    expect((await listState(home)).find((row) => row.name === 'held')).toMatchObject({
      status: 'stopped',
      pid: null,
    });
    expect(await specOf(home, 'held')).toMatchObject({ autostart: false, autorestart: true });
    expect((await velosIn(dir, home, ['start', 'held'])).code).toBe(0);
    await waitForStatus(home, 'held', 'online');
    await deleteApps(home, ['deploy', 'held']);
  });

  it('keep --interpreter-args over --node-args when both are given, as PM2 does', async () => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'apps');
    for (const flags of [
      ['--node-args=--max-old-space-size=100', '--interpreter-args=--trace-warnings'],
      ['--interpreter-args=--trace-warnings', '--node-args=--max-old-space-size=100'],
    ]) {
      expect((await dryRun(dir, home, flags)).interpreterArgs).toEqual(['--trace-warnings']);
    }
  });

  it('write -o, -e, -l and --pid files with --time stamps, and pass -- args', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-files'), 'apps');
    const result = await velosIn(dir, home, [
      'start',
      'server.js',
      '--name',
      'files',
      '-o',
      'logs/out.log',
      '-e',
      'logs/err.log',
      '-l',
      'logs/all.log',
      '--pid',
      'run/files.pid',
      '--time',
      '--',
      '--port',
      '9000',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [report] = await serverReports(join(dir, 'logs/out.log'));
    expect(report!.argv).toEqual(['--port', '9000']);
    expect(readFileSync(join(dir, 'logs/out.log'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \{"pid"/);
    await waitFor(
      () =>
        existsSync(join(dir, 'logs/err.log')) &&
        readFileSync(join(dir, 'logs/err.log'), 'utf8').includes('started'),
    );
    await waitFor(() => {
      const all = existsSync(join(dir, 'logs/all.log'))
        ? readFileSync(join(dir, 'logs/all.log'), 'utf8')
        : '';
      return all.includes('{"pid"') && all.includes(`server ${report!.pid} started`);
    });
    await waitFor(() => existsSync(join(dir, 'run/files.pid')));
    expect(Number(readFileSync(join(dir, 'run/files.pid'), 'utf8'))).toBe(report!.pid);
    // flush empties the combined -l file too, and says so
    const flushed = await velosIn(dir, home, ['flush', 'files']);
    expect(flushed.code, flushed.stderr).toBe(0);
    expect(flushed.stdout.trim().split('\n').sort()).toEqual(
      ['all', 'err', 'out'].map((name) => `flushed ${join(dir, `logs/${name}.log`)}`),
    );
    expect(readFileSync(join(dir, 'logs/all.log'), 'utf8')).toBe('');
    // the pid file goes with the run
    expect((await velosIn(dir, home, ['stop', 'files'])).code).toBe(0);
    await waitFor(() => !existsSync(join(dir, 'run/files.pid')), { message: 'the pid file to be removed' });
    await deleteApps(home, ['files']);
  });

  it('refuses a second start of a running app unless -f, which adds its instances', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-dup'), 'apps');
    expect((await velosIn(dir, home, ['start', 'server.js', '--name', 'dup'])).code).toBe(0);
    await waitForStatus(home, 'dup', 'online');
    const again = await velosIn(dir, home, ['start', 'server.js', '--name', 'dup']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /an app named 'dup' is already running .*\(or add -f to start more instances of it\)/,
    );
    const forced = await velosIn(dir, home, ['start', 'server.js', '--name', 'dup', '-f']);
    expect(forced.code, forced.stderr).toBe(0);
    await waitFor(
      async () =>
        (await listState(home)).filter((r) => r.name === 'dup' && r.status === 'online').length === 2,
    );
    // -f adds instances of the running app: another script or other arguments are refused, not dropped
    const other = await velosIn(dir, home, ['start', join(FIXTURES, 'silent.js'), '--name', 'dup', '-f']);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(
      `velos: 'dup' runs ${join(dir, 'server.js')}; -f adds instances of it (its script, arguments and ` +
        `interpreter), so ${join(FIXTURES, 'silent.js')} would not run: delete it first (velos delete dup) ` +
        'or give another --name\n',
    );
    const args = await velosIn(dir, home, ['start', 'server.js', '--name', 'dup', '-f', '--', '--port', '1']);
    expect(args.code).toBe(1);
    expect(args.stderr).toContain(`so ${join(dir, 'server.js')} --port 1 would not run`);
    expect((await listState(home)).filter((r) => r.name === 'dup')).toHaveLength(2);
    // as pm2, a script started with --env starts (the profile selects nothing): a warning
    const env = await velosIn(dir, home, ['start', 'server.js', '--env', 'production']);
    expect(env.code, env.stderr).toBe(0);
    expect(env.stderr).toContain('--env production: selects the env_<profile> tables of a config file');
    await deleteApps(home, ['dup', 'server']);
  });

  it('--no-daemon runs the daemon in the foreground, prints app lines, and stops everything on SIGTERM', async () => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'apps');
    const child = spawnVelos(['start', 'server.js', '--name', 'fg', '--no-daemon'], { home, cwd: dir });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => /\bfg\b.*online/.test(stdout), { message: 'the process table on stdout' });
    const row = await waitForStatus(home, 'fg', 'online');
    await waitFor(
      () =>
        stdout.includes(`fg | {"pid":${row.pid}`) && stdout.includes(`fg (err) | server ${row.pid} started`),
      {
        message: "the app's lines on stdout",
      },
    );
    expect(Number(readFileSync(join(home, 'velos.pid'), 'utf8'))).toBe(child.pid);
    const again = await velosIn(dir, home, ['start', 'server.js', '--name', 'other', '--no-daemon']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('--no-daemon runs its own daemon');
    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(() => !isAlive(row.pid), { message: 'the app to be stopped' });
    expect(existsSync(join(home, 'velos.sock'))).toBe(false);
    expect(existsSync(outLog(home, 'fg'))).toBe(true);
  });

  it('--no-daemon prints the lines an app wrote before its start answered, with the instance of each, and runs again in its home', async () => {
    const home = createHome();
    // twice in one home (a container restarted on its volume): a run neither restores nor saves the
    // state, so the second does not find the first's apps listed and refuse its start of them
    for (const run of [1, 2]) {
      // two instances: each line says which wrote it (`once:0 |`), as `velos logs` does
      const child = spawnVelos(
        ['start', 'echo printed-at-once; exec sleep 300', '--name', 'once', '-i', '2', '--no-daemon'],
        { home },
      );
      let stdout = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // after the process table (a list before the daemon answers would start another one)
      await waitFor(
        () =>
          /\bonce\b.*online[\s\S]*\nonce:0 \| printed-at-once\n/.test(stdout) &&
          /\bonce\b.*online[\s\S]*\nonce:1 \| printed-at-once\n/.test(stdout),
        { message: `run ${run}: the line printed at once by each instance, after the process table` },
      );
      const rows = (await listState(home)).filter((row) => row.name === 'once');
      expect(rows).toHaveLength(2);
      process.kill(child.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
      await waitFor(() => rows.every((row) => !isAlive(row.pid!)), {
        message: 'both instances to be stopped',
      });
      expect(existsSync(join(home, 'state.json'))).toBe(false);
    }
  });
});
