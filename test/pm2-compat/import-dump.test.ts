import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, describeState, listState, readLines, waitFor } from '../e2e/helpers.js';
import { PM2_FIXTURES, pm2 } from './pm2-shim.js';

afterEach(cleanupHomes);

/**
 * The dump `pm2 save` of PM2 6.0.14 wrote for fixtures/pm2-dump/README.md's ecosystem file, its
 * project and PM2 home paths put back to `project` and `pm2Home`.
 */
function realDump(home: string): { dump: string; project: string } {
  const project = join(home, 'project');
  const pm2Home = join(home, 'pm2home');
  for (const dir of [join(project, 'logs'), join(project, 'src'), pm2Home])
    mkdirSync(dir, { recursive: true });
  copyFileSync(join(PM2_FIXTURES, 'out-err.js'), join(project, 'app.js'));
  const text = readFileSync(join(PM2_FIXTURES, 'pm2-dump', 'dump.pm2'), 'utf8')
    .replaceAll('@PROJECT@', project)
    .replaceAll('@PM2_HOME@', pm2Home);
  const dump = join(pm2Home, 'dump.pm2');
  writeFileSync(dump, text);
  return { dump, project };
}

interface Report {
  name: string;
  mapped: Record<string, unknown>;
  ignored: string[];
  env: number;
  stopped: boolean;
}

/**
 * The imported app's details, over the daemon's socket (as `velos describe <name> --json` prints them):
 * what the import left is under test here, not describe's output.
 */
async function specOf(home: string, name: string) {
  const [detail] = await describeState(home, name);
  expect(detail, name).toBeDefined();
  return detail!;
}

// Issue #14: `velos import pm2` of a dump real PM2 wrote, every option with a Velos equivalent kept.
describe('velos import pm2 of a real PM2 dump', () => {
  it('maps merge_logs, log and pid paths (without their pm_id), options and env', async () => {
    const home = createHome();
    const { dump, project } = realDump(home);
    const logs = join(project, 'logs');
    const result = await pm2(['import', 'pm2', dump, '--json'], home);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report[];
    expect(report.map((app) => app.name)).toEqual(['api', 'web', 'worker', 'single', 'legacy', 'batch']);
    const byName = Object.fromEntries(report.map((app) => [app.name, app]));
    expect(byName.api!.mapped).toMatchObject({
      merge_logs: true,
      pm_log_path: join(logs, 'api-combined.log'),
    });
    expect(byName.web!.mapped.merge_logs).toBe(false);
    expect(byName.single!.ignored).toContain('log_type');
    // PM2 writes vizion, treekill, pmx… into every entry: only the values an app changed are reported
    expect(byName.single!.ignored).toEqual(['log_type']);
    expect(byName.api!.ignored).toEqual(['vizion']);
    expect(byName.api!.mapped.filter_env).toEqual(['SECRET']);
    expect(byName.batch!.stopped).toBe(true);

    const api = await specOf(home, 'api');
    expect(api.spec).toMatchObject({
      execMode: 'cluster',
      instances: 2,
      namespace: 'web',
      maxMemoryBytes: 209_715_200,
      interpreterArgs: ['--max-old-space-size=256'],
      killTimeoutMs: 3000,
      // PM2 stops its apps with SIGINT: an imported app keeps its graceful shutdown
      stopSignal: 'SIGINT',
      listenTimeoutMs: 5000,
      shutdownWithMessage: true,
      incrementVar: 'PORT',
      instanceVar: 'INSTANCE_ID',
      logDateFormat: 'YYYY-MM-DD HH:mm Z:',
      cronRestart: '0 3 * * *',
      stopExitCodes: [0],
      expBackoffRestartDelayMs: 100,
      maxRestarts: 5,
      minUptimeMs: 5000,
      ignoreWatch: ['node_modules'],
      watchDelayMs: 1000,
      outFile: join(logs, 'api-out.log'),
      errFile: join(logs, 'api-err.log'),
      logFile: join(logs, 'api-combined.log'),
      pidFile: join(logs, 'api.pid'),
    });
    expect(api.spec.logPerInstance).toBeUndefined();
    // PM2 left this shell's SECRET* variables out of the app's env: so does Velos
    expect(api.spec.filterEnv).toEqual(['SECRET']);
    // the app's own variables, without PM2's (PM2_*, unique_id) nor the `api: "{}"` PM2 adds
    expect(api.spec.envKeys).toEqual(expect.arrayContaining(['NODE_ENV', 'PORT']));
    expect(api.spec.envKeys).not.toContain('api');
    expect(api.spec.envKeys.filter((key) => key.startsWith('PM2_') || key === 'unique_id')).toEqual([]);

    // PM2's cluster default (no merge_logs): one set of files per instance, in Velos's log directory
    const web = await specOf(home, 'web');
    expect(web.spec).toMatchObject({ execMode: 'cluster', instances: 2, logPerInstance: true });
    expect(web.spec.outFile).toBeUndefined();
    // merge_logs: false with an out_file: PM2's worker-<pm_id>.log is the app's worker.log again
    const worker = await specOf(home, 'worker');
    expect(worker.spec).toMatchObject({
      instances: 2,
      logPerInstance: true,
      outFile: join(logs, 'worker.log'),
      args: ['--queue', 'jobs'],
      autorestart: false,
      restartDelayMs: 250,
    });
    const single = await specOf(home, 'single');
    expect(single.spec).toMatchObject({
      instances: 1,
      logPerInstance: true,
      outFile: join(logs, 'single-out.log'),
      pidFile: join(logs, 'single.pid'),
      interpreterArgs: ['--no-warnings'],
    });
    // merge_logs (combine_logs) true: a shared file whose name ends in digits keeps them
    const legacy = await specOf(home, 'legacy');
    expect(legacy.spec).toMatchObject({ outFile: join(logs, 'legacy-2024.log'), waitReady: true });
    expect(legacy.spec.logPerInstance).toBeUndefined();
    expect((await specOf(home, 'batch')).spec.cronRestart).toBe('*/5 * * * *');

    // and the processes write where PM2's did: per instance by Velos id, shared files shared
    const rows = await waitFor(
      async () => {
        const list = await listState(home);
        const online = list.filter((p) => p.status === 'online');
        return online.length === 9 && list;
      },
      { message: '9 processes online' },
    );
    for (const row of rows.filter((p) => p.name === 'worker')) {
      const [detail] = await describeState(home, String(row.id));
      expect(detail!.outLogPath).toBe(join(logs, `worker-${row.id}.log`));
      // PM2's --time lines (time: true in the dump): local time to the second, then a colon and a space
      expect(detail!.spec.logDateFormat).toBe('YYYY-MM-DDTHH:mm:ss:');
      const stamped = await waitFor(() =>
        readLines(detail!.outLogPath).find((line) => line.includes('out i')),
      );
      expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: out i\d/);
    }
    await waitFor(() => {
      const lines = readLines(join(logs, 'api-combined.log'));
      return ['out i0', 'out i1', 'err i0', 'err i1'].every((end) =>
        lines.some((line) => line.endsWith(end)),
      );
    });
    expect(rows.find((p) => p.name === 'batch')!.status).toBe('stopped');
  });

  it("leaves PM2's modules of a pm2 jlist out, saying so, as pm2 save leaves them out of its dump", async () => {
    const home = createHome();
    const jlist = join(home, 'pm2.json');
    const env = (name: string, script: string, module: boolean) => ({
      name,
      pm2_env: { name, pm_exec_path: script, pm_cwd: home, status: 'online', pmx_module: module },
    });
    writeFileSync(
      jlist,
      JSON.stringify([
        env('api', join(PM2_FIXTURES, 'out-err.js'), false),
        env('pm2-logrotate', join(home, '.pm2/modules/pm2-logrotate/app.js'), true),
      ]),
    );
    const result = await pm2(['import', 'pm2', jlist, '--dry-run'], home);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as Report[]).map((app) => app.name)).toEqual(['api']);
    expect(result.stderr).toBe(
      'velos: warning: pm2.json: PM2 module not imported: pm2-logrotate (Velos has no modules: log rotation (--log-max-size), metrics (velos metrics), alerts (velos alerts) and OpenTelemetry are built in)\n',
    );
  });

  it('refuses a cluster app PM2 ran as another user, importing nothing, rather than run it as root', async () => {
    const home = createHome();
    const dump = join(home, 'dump.pm2');
    const entry = (id: number) => ({
      name: 'clu',
      pm_exec_path: join(PM2_FIXTURES, 'out-err.js'),
      pm_cwd: home,
      exec_mode: 'cluster_mode',
      pm_id: id,
      uid: 65534,
      gid: 65534,
      status: 'online',
    });
    writeFileSync(dump, JSON.stringify([entry(0), entry(1)]));
    const result = await pm2(['import', 'pm2', dump, '--dry-run'], home);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `velos: dump.pm2: PM2 ran clu (uid 65534, gid 65534) in cluster mode as another user, and Velos runs a cluster app as the daemon's user only (uid and gid are for fork mode); nothing was imported: in the dump, set its entries' "exec_mode" to "fork_mode" or remove their "uid" and "gid", then import again\n`,
    );
  });
});
