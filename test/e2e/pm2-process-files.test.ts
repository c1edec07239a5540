import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  deleteApps,
  listState,
  outLog,
  sharedHome,
  waitFor,
} from './helpers.js';
import { copyCorpus, serverReports, specOf, velosIn, warningsOf } from './pm2-helpers.js';

afterEach(cleanupHomes);

// One daemon for the tests of the first and third blocks: each copies the corpus into a directory of its
// own, starts apps of names no other of them runs at the same time, and deletes them at its end.
const shared = sharedHome();
beforeEach(() => clearApps(shared()));

// Issue #14: PM2 process files of every format, started through the CLI against a real daemon and
// checked against the resulting state (velos describe --json) and what the apps themselves saw.
describe('PM2 process files', () => {
  it('starts a CommonJS ecosystem.config.cjs in snake_case with --env production', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-cjs'), 'cjs');
    const result = await velosIn(dir, home, ['start', 'ecosystem.config.cjs', '--env', 'production']);
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([
      'ecosystem.config.cjs: "deploy" ignored (Velos does not deploy)',
      'ecosystem.config.cjs: PM2 options with no Velos equivalent, ignored: vizion, source_map_support',
    ]);
    const cpus = 2;
    expect(await specOf(home, 'api')).toMatchObject({
      script: '../apps/server.js',
      cwd: dir,
      args: ['--port', '3000', '--verbose'],
      execMode: 'cluster',
      instances: cpus,
      maxMemoryBytes: 300 * 1024 * 1024,
      interpreterArgs: ['--max-old-space-size=256'],
      mergeLogs: false,
      logDateFormat: 'YYYY-MM-DD HH:mm:ss',
      killTimeoutMs: 3000,
      listenTimeoutMs: 10_000,
      maxRestarts: 10,
      minUptimeMs: 10_000,
      autorestart: true,
    });
    expect(await specOf(home, 'worker')).toMatchObject({
      args: ['--queue', 'emails'],
      namespace: 'jobs',
      instanceVar: 'INSTANCE_ID',
      restartDelayMs: 2000,
      expBackoffRestartDelayMs: 100,
      stopExitCodes: [0],
      cronRestart: '0 3 * * *',
      outFile: join(dir, 'logs/worker-out.log'),
      errFile: join(dir, 'logs/worker-err.log'),
      pidFile: join(dir, 'run/worker.pid'),
    });
    const [worker] = await serverReports(join(dir, 'logs/worker-out.log'));
    expect(worker!.env).toMatchObject({ DB_HOST: 'db.internal', INSTANCE_ID: '0', NODE_APP_INSTANCE: null });
    expect(worker!.argv).toEqual(['--queue', 'emails']);
    const pidFile = join(dir, 'run/worker.pid');
    await waitFor(() => existsSync(pidFile), { message: 'the pid_file' });
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(worker!.pid);
    // cluster: one per CPU, dated lines (log_date_format), the production env
    const apis = await serverReports(outLog(home, 'api'), cpus);
    expect(new Set(apis.map((r) => r.env.NODE_APP_INSTANCE))).toEqual(
      new Set(Array.from({ length: cpus }, (_, i) => String(i))),
    );
    expect(apis[0]!.env).toMatchObject({ NODE_ENV: 'production', PORT: '8080' });
    expect(readFileSync(outLog(home, 'api'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \{"pid"/m);
    await deleteApps(home, ['api', 'worker']);
  });

  it('starts an ES module ecosystem.config.mjs with camelCase options', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-mjs'), 'mjs');
    const result = await velosIn(dir, home, ['start', 'ecosystem.config.mjs']);
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([]);
    expect(await specOf(home, 'web')).toMatchObject({
      execMode: 'fork',
      instances: 2,
      incrementVar: 'PORT',
      maxMemoryBytes: 1024 * 1024 * 1024,
      maxRestarts: 5,
      minUptimeMs: 2000,
      killTimeoutMs: 4000,
      restartDelayMs: 500,
      listenTimeoutMs: 5000,
      interpreterArgs: ['--no-warnings'],
      logFile: join(dir, 'web-combined.log'),
    });
    const reports = await serverReports(outLog(home, 'web'), 2);
    expect(reports.map((r) => r.env.PORT).sort()).toEqual(['4000', '4001']);
    // log_file: both streams of both instances in one more file
    await waitFor(
      () => {
        const text = existsSync(join(dir, 'web-combined.log'))
          ? readFileSync(join(dir, 'web-combined.log'), 'utf8')
          : '';
        return reports.every(
          (r) => text.includes(`"pid":${r.pid}`) && text.includes(`server ${r.pid} started`),
        );
      },
      { message: 'the log_file to hold stdout and stderr of both instances' },
    );
    await deleteApps(home, ['web']);
  });

  it('loads module.exports from ecosystem.config.js in a CommonJS project, with and without --env', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-js-prod'), 'js-commonjs');
    const result = await velosIn(dir, home, ['start', 'ecosystem.config.js', '--env', 'production']);
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([
      'ecosystem.config.js: PM2 options with no Velos equivalent, ignored: post_update',
    ]);
    expect(await specOf(home, 'legacy')).toMatchObject({ logDateFormat: 'iso' });
    const [prod] = await serverReports(outLog(home, 'legacy'));
    expect(prod!.env).toMatchObject({ NODE_ENV: 'production', API_KEY: 'prod-key' });

    // the same file from a fresh copy without --env, once the first is deleted: the second run's report
    await deleteApps(home, ['legacy']);
    const dev = join(copyCorpus(home, 'project-js-dev'), 'js-commonjs');
    expect((await velosIn(dev, home, ['start', 'ecosystem.config.js'])).code).toBe(0);
    const [, report] = await serverReports(outLog(home, 'legacy'), 2);
    expect(report!.pid).not.toBe(prod!.pid);
    expect(report!.env).toMatchObject({ NODE_ENV: 'development', API_KEY: 'dev-key' });
    await deleteApps(home, ['legacy']);
  });

  it('starts a PM2 JSON process file: paths, interpreter, watch, unknown and ignored keys', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-json'), 'json');
    const result = await velosIn(dir, home, ['start', 'process.json']);
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([
      'process.json: apps[0] (json-api): unknown option "frobnicate" ignored',
      'process.json: PM2 options with no Velos equivalent, ignored: treekill',
    ]);
    expect(await specOf(home, 'json-api')).toMatchObject({
      interpreter: 'node',
      interpreterArgs: ['--no-deprecation'],
      outFile: join(dir, 'out.log'),
      errFile: join(dir, 'err.log'),
      mergeLogs: false,
      autorestart: false,
      maxRestarts: 3,
    });
    expect(await specOf(home, 'json-worker')).toMatchObject({
      watch: [join(dir, '../apps')],
      ignoreWatch: ['node_modules', '*.log'],
      watchDelayMs: 1000,
      namespace: 'json',
    });
    const [api] = await serverReports(join(dir, 'out.log'));
    expect(api!.argv).toEqual(['--json']);
    expect(api!.execArgv).toContain('--no-deprecation');
    expect(api!.env).toMatchObject({ NODE_ENV: 'test', PORT: '5000' });
    await waitFor(
      () =>
        existsSync(join(dir, 'err.log')) && readFileSync(join(dir, 'err.log'), 'utf8').includes('started'),
    );
    await deleteApps(home, ['json-api', 'json-worker']);
  });

  it('starts a PM2 YAML process file with --env production, and a bare app in pm2.json', async () => {
    const home = shared();
    const project = copyCorpus(home, 'project-yaml');
    const result = await velosIn(join(project, 'yaml'), home, [
      'start',
      'ecosystem.yml',
      '--env',
      'production',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await specOf(home, 'yaml-api')).toMatchObject({
      stopExitCodes: [0, 3],
      restartDelayMs: 250,
      killTimeoutMs: 2000,
      waitReady: true,
      listenTimeoutMs: 3000,
    });
    expect(await specOf(home, 'yaml-cron')).toMatchObject({
      cronRestart: '*/30 * * * *',
      logDateFormat: 'YYYY-MM-DD HH:mm Z',
    });
    const [api] = await serverReports(outLog(home, 'yaml-api'));
    expect(api!.env.NODE_ENV).toBe('production');

    expect((await velosIn(join(project, 'bare'), home, ['start', 'pm2.json'])).code).toBe(0);
    const [bare] = await serverReports(outLog(home, 'bare'));
    expect(bare!.env.NODE_ENV).toBe('bare');
    expect((await listState(home)).map((row) => row.name).sort()).toEqual(['bare', 'yaml-api', 'yaml-cron']);
    await deleteApps(home, ['bare', 'yaml-api', 'yaml-cron']);
  });
});

describe('PM2 cluster files', () => {
  it('resolve instances "max" to one per CPU and -1 to CPUs - 1 (checked with --dry-run: no CPU-count of workers)', async () => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'cluster');
    const result = await velosIn(dir, home, [
      'start',
      'ecosystem.config.cjs',
      '--env',
      'production',
      '--dry-run',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const cpus = availableParallelism();
    const apps = JSON.parse(result.stdout) as { name: string; instances: number; execMode: string }[];
    expect(apps.map(({ name, instances, execMode }) => ({ name, instances, execMode }))).toEqual([
      { name: 'cluster-api', instances: cpus, execMode: 'cluster' },
      { name: 'cluster-minus-one', instances: Math.max(1, cpus - 1), execMode: 'cluster' },
    ]);
  });
});

describe('PM2 process files: start again, startOrRestart, startOrReload, --only', () => {
  it('restarts the running apps of a file on a second start, as pm2 start does', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-again'), 'mjs');
    expect((await velosIn(dir, home, ['start', 'ecosystem.config.mjs'])).code).toBe(0);
    const before = await waitForOnline(home, 'web', 2);
    const again = await velosIn(dir, home, ['start', 'ecosystem.config.mjs']);
    expect(again.code, again.stderr).toBe(0);
    const after = await waitForOnline(home, 'web', 2, before);
    expect(after.some((pid) => before.includes(pid))).toBe(false);
    await deleteApps(home, ['web']);
  });

  it('startOrRestart starts what is missing and restarts what runs; startOrReload reloads; --only picks apps', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-or'), 'yaml');
    // yaml-api waits for a 'ready' its server never sends: a shorter listen_timeout than the corpus's 3 s
    // (each start and reload of it waits that long; the YAML test above checks the file as it is)
    const file = join(dir, 'ecosystem.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('listen_timeout: 3000', 'listen_timeout: 500'));
    const only = await velosIn(dir, home, ['start', 'ecosystem.yml', '--only', 'yaml-cron']);
    expect(only.code, only.stderr).toBe(0);
    expect((await listState(home)).map((row) => row.name)).toEqual(['yaml-cron']);
    const [cronPid] = await waitForOnline(home, 'yaml-cron', 1);

    // a deploy script's PM2 flags with no Velos equivalent are taken, with the warning `start` gives
    const first = await velosIn(dir, home, ['startOrRestart', 'ecosystem.yml', '--no-vizion', '--no-pmx']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('PM2 options with no Velos equivalent, ignored: --no-vizion, --no-pmx');
    await waitForOnline(home, 'yaml-api', 1);
    const [restarted] = await waitForOnline(home, 'yaml-cron', 1, [cronPid!]);
    expect(restarted).not.toBe(cronPid);

    const reload = await velosIn(dir, home, ['startOrReload', 'ecosystem.yml', '--only', 'yaml-cron']);
    expect(reload.code, reload.stderr).toBe(0);
    const [reloaded] = await waitForOnline(home, 'yaml-cron', 1, [restarted!]);
    expect(reloaded).not.toBe(restarted);
    expect((await velosIn(dir, home, ['start-or-graceful-reload', 'ecosystem.yml'])).code).toBe(0);

    const missing = await velosIn(dir, home, ['startOrRestart', 'ecosystem.yml', '--only', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      '--only: ecosystem.yml has no app named nope (it has yaml-api, yaml-cron)',
    );
    await deleteApps(home, ['yaml-api', 'yaml-cron']);
  });
});

/** Waits until `count` processes of `name` are online with pids none of which is in `notPids`; their pids. */
async function waitForOnline(
  home: string,
  name: string,
  count: number,
  notPids: number[] = [],
): Promise<number[]> {
  return waitFor(
    async () => {
      const rows = (await listState(home)).filter((row) => row.name === name);
      const pids = rows.filter((row) => row.status === 'online' && row.pid !== null).map((row) => row.pid!);
      return rows.length === count && pids.length === count && !pids.some((pid) => notPids.includes(pid))
        ? pids
        : undefined;
    },
    { message: `${count} new online process(es) of ${name}` },
  );
}

// `startOrReload <file> --env production` and `reload <file>` give the running apps the file's env with
// its profile (PM2 updates the env of the apps of a process file), in cluster mode with a reload.
describe('PM2 process files: reload and restart apply the env of the file', () => {
  it('startOrReload --env production gives running fork and cluster apps env_production', async () => {
    const home = shared();
    const dir = join(home, 'project-env');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'server.js'),
      [
        "const http = require('node:http');",
        'const server = http.createServer((_req, res) => res.end(process.env.NODE_ENV ?? ""));',
        "server.listen(0, '127.0.0.1', () => console.log('NODE_ENV=' + process.env.NODE_ENV));",
        "process.on('SIGTERM', () => server.close(() => process.exit(0)));",
      ].join('\n'),
    );
    writeFileSync(join(dir, 'worker.js'), 'setInterval(() => {}, 60_000);\n');
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      `module.exports = { apps: [
  { name: 'env-api', script: './server.js', exec_mode: 'cluster', instances: 2,
    env: { NODE_ENV: 'development' }, env_production: { NODE_ENV: 'production' } },
  { name: 'env-worker', script: './worker.js', env: { FOO: 'dev' }, env_production: { FOO: 'prod' } },
] };
`,
    );
    const first = await velosIn(dir, home, ['startOrRestart', 'ecosystem.config.js']);
    expect(first.code, first.stderr).toBe(0);
    const before = await waitForOnline(home, 'env-api', 2);
    await waitFor(() => nodeEnvLines(home).filter((line) => line === 'development').length === 2);
    expect((await envOf(home, 'env-worker')).FOO).toBe('dev');

    const reload = await velosIn(dir, home, ['startOrReload', 'ecosystem.config.js', '--env', 'production']);
    expect(reload.code, reload.stderr).toBe(0);
    expect((await envOf(home, 'env-worker')).FOO).toBe('prod');
    expect((await envOf(home, 'env-api')).NODE_ENV).toBe('production');
    // the cluster app was reloaded: new workers, which see the profile
    await waitForOnline(home, 'env-api', 2, before);
    await waitFor(() => nodeEnvLines(home).filter((line) => line === 'production').length === 2, {
      message: 'two api workers with NODE_ENV=production',
    });

    // `reload <file>` without a profile (and startOrRestart) goes back to the file's env
    const back = await velosIn(dir, home, ['reload', 'ecosystem.config.js']);
    expect(back.code, back.stderr).toBe(0);
    expect((await envOf(home, 'env-worker')).FOO).toBe('dev');
    await waitFor(() => nodeEnvLines(home).filter((line) => line === 'development').length === 4, {
      message: 'two more api workers with NODE_ENV=development',
    });
    const restart = await velosIn(dir, home, [
      'startOrRestart',
      'ecosystem.config.js',
      '--env',
      'production',
    ]);
    expect(restart.code, restart.stderr).toBe(0);
    expect((await envOf(home, 'env-worker')).FOO).toBe('prod');
    await deleteApps(home, ['env-api', 'env-worker']);
  });
});

/**
 * The env an app's processes run with (what `velos env <name>` prints of it; the command's own output
 * is checked in test/pm2-compat/commands.test.ts), from the daemon over its socket.
 */
async function envOf(home: string, name: string): Promise<Record<string, string>> {
  const client = createClient({ home, autoStart: false, timeoutMs: 20_000 });
  try {
    return (await client.configGet(name)).env;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The NODE_ENV each `env-api` worker started with, from its out log. */
function nodeEnvLines(home: string): string[] {
  const path = outLog(home, 'env-api');
  if (!existsSync(path)) return [];
  return [...readFileSync(path, 'utf8').matchAll(/NODE_ENV=(\w+)/g)].map((match) => match[1]!);
}
