import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, listJson, listState, velos, waitFor } from './helpers.js';
import { copyCorpus, specOf, velosIn } from './pm2-helpers.js';

afterEach(cleanupHomes);

/**
 * A dump as `pm2 save` writes it (~/.pm2/dump.pm2): one entry per process with PM2's pm2_env fields;
 * a cluster app is one entry per instance. Handwritten from PM2's documented process description.
 */
function writeDump(pm2Home: string, project: string): string {
  const server = join(project, 'apps/server.js');
  const base = {
    pm_cwd: join(project, 'apps'),
    pm_exec_path: server,
    exec_interpreter: 'node',
    node_args: [],
    args: [],
    autorestart: true,
    max_restarts: 16,
    min_uptime: 1000,
    kill_timeout: 1600,
    restart_delay: 0,
    listen_timeout: 3000,
    wait_ready: false,
    namespace: 'default',
    instance_var: 'NODE_APP_INSTANCE',
    merge_logs: false,
    vizion: true,
    autostart: true,
    treekill: true,
    pm_uptime: 1_700_000_000_000,
    restart_time: 3,
    unstable_restarts: 0,
    created_at: 1_700_000_000_000,
    versioning: null,
    node_version: '20.11.0',
  };
  const dump = [
    {
      ...base,
      name: 'api',
      pm_id: 0,
      status: 'online',
      // added with autostart: false and started by name since: it runs after the import too
      autostart: false,
      // options of its own that Velos has no use for (the base's vizion: true, treekill: true are PM2's defaults)
      vizion: false,
      treekill: false,
      exec_mode: 'fork_mode',
      instances: 1,
      args: ['--port', '3000'],
      node_args: ['--max-old-space-size=128'],
      max_memory_restart: 268_435_456,
      cron_restart: '0 3 * * *',
      log_date_format: 'YYYY-MM-DD HH:mm:ss',
      pm_out_log_path: join(project, 'custom/api-out.log'),
      pm_err_log_path: join(pm2Home, 'logs/api-error.log'),
      pm_pid_path: join(pm2Home, 'pids/api-0.pid'),
      env: {
        NODE_ENV: 'production',
        PORT: '3000',
        PM2_HOME: pm2Home,
        pm_id: 0,
        NODE_APP_INSTANCE: 0,
        api: {},
      },
    },
    ...[1, 2].map((id) => ({
      name: 'web',
      pid: 1000 + id,
      pm_id: id,
      monit: { memory: 1, cpu: 0 },
      pm2_env: {
        ...base,
        name: 'web',
        pm_id: id,
        status: 'online',
        exec_mode: 'cluster_mode',
        instances: 2,
        namespace: 'frontend',
        env: { NODE_ENV: 'production', DB_HOST: 'db.internal' },
      },
    })),
    { ...base, name: 'batch', pm_id: 3, status: 'stopped', exec_mode: 'fork_mode', env: {} },
  ];
  mkdirSync(pm2Home, { recursive: true });
  const file = join(pm2Home, 'dump.pm2');
  writeFileSync(file, JSON.stringify(dump));
  return file;
}

// Issue #14: `velos import pm2 [dump file]` starts the apps of a PM2 dump and says what it mapped.
describe('velos import pm2', () => {
  it('starts the apps of a PM2 dump, printing what was mapped and ignored', async () => {
    const home = createHome();
    const project = copyCorpus(home);
    const pm2Home = join(home, 'pm2home');
    const dump = writeDump(pm2Home, project);
    const result = await velosIn(project, home, ['import', 'pm2', dump]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('api: pm_exec_path=');
    expect(result.stdout).toContain('max_memory_restart=268435456');
    expect(result.stdout).toContain('ignored: vizion, treekill');
    // web and batch keep PM2's defaults: nothing of theirs was ignored
    expect(result.stdout.match(/ignored:/g)).toHaveLength(1);
    expect(result.stdout).toContain('batch (stopped, as in PM2)');
    expect(await specOf(home, 'api')).toMatchObject({
      script: join(project, 'apps/server.js'),
      cwd: join(project, 'apps'),
      args: ['--port', '3000'],
      interpreterArgs: ['--max-old-space-size=128'],
      maxMemoryBytes: 268_435_456,
      cronRestart: '0 3 * * *',
      // PM2's `<stamp>: <line>`: the colon after the stamp is part of the imported format
      logDateFormat: 'YYYY-MM-DD HH:mm:ss:',
      killTimeoutMs: 1600,
      outFile: join(project, 'custom/api-out.log'),
      autostart: false,
    });
    const api = await specOf(home, 'api');
    expect(api.errFile).toBeUndefined();
    expect(api.pidFile).toBeUndefined();
    expect(api.envKeys).toEqual(expect.arrayContaining(['NODE_ENV', 'PORT']));
    expect(await specOf(home, 'web')).toMatchObject({
      execMode: 'cluster',
      instances: 2,
      namespace: 'frontend',
    });
    await waitFor(async () => {
      const rows = await listState(home);
      const online = rows
        .filter((r) => r.status === 'online')
        .map((r) => r.name)
        .sort();
      const batch = rows.find((r) => r.name === 'batch');
      return online.join() === 'api,web,web' && batch?.status === 'stopped';
    });
    // batch, which PM2 had stopped, was added stopped: its script never ran (it was started, then stopped)
    const daemonLog = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(daemonLog).toContain('added batch stopped');
    expect(daemonLog).not.toContain('starting batch');

    // a second import skips the names Velos has
    const again = await velosIn(project, home, ['import', 'pm2', dump, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { skipped?: boolean }[]).every((app) => app.skipped)).toBe(true);
  });

  it('reads $PM2_HOME/dump.pm2 by default and fails clearly without one', async () => {
    const home = createHome();
    const project = copyCorpus(home);
    const pm2Home = join(home, 'other-pm2');
    const missing = await velosIn(project, home, ['import', 'pm2', join(pm2Home, 'dump.pm2')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read the PM2 dump');
    writeDump(pm2Home, project);
    const env = { PM2_HOME: pm2Home };
    const ok = await velos(['import', 'pm2', '--dry-run'], { home, cwd: project, env });
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { name: string }[]).map((app) => app.name)).toEqual([
      'api',
      'web',
      'batch',
    ]);
    expect(await listJson(home)).toEqual([]);
    // a dump of no apps (pm2 save with nothing running): nothing to import, as PM2's resurrect of it
    const empty = join(home, 'empty.pm2');
    writeFileSync(empty, '[]');
    const none = await velosIn(project, home, ['import', 'pm2', empty]);
    expect([none.code, none.stdout, none.stderr]).toEqual([
      0,
      'empty.pm2: the dump holds no apps, nothing to import\n',
      '',
    ]);
    const bad = join(home, 'bad.pm2');
    writeFileSync(bad, '{"not": "a list"}');
    const notDump = await velosIn(project, home, ['import', 'pm2', bad]);
    expect(notDump.code).toBe(1);
    expect(notDump.stderr).toContain('bad.pm2: not a PM2 dump (expected a JSON array of processes)');

    // an app whose directory is gone (a release PM2 still named): the import is refused naming it, as
    // velos start refuses a missing cwd, nothing started (it used to exit 0 with the app silently errored)
    const goneDump = join(home, 'gone.pm2');
    const goneCwd = join(home, 'releases/41');
    writeFileSync(
      goneDump,
      JSON.stringify([{ name: 'old', pm_exec_path: join(goneCwd, 'app.js'), pm_cwd: goneCwd, env: {} }]),
    );
    const gone = await velosIn(project, home, ['import', 'pm2', goneDump]);
    expect([gone.code, gone.stderr]).toEqual([1, `velos: old cannot start: cwd not found: ${goneCwd}\n`]);
    expect(await listState(home)).toEqual([]);
  });
});
