import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapPm2Dump, pm2ModuleNames } from '../src/pm2/dump-mapping.js';

const DUMP = '/home/u/.pm2/dump.pm2';

describe('mapPm2Dump (issue #14)', () => {
  it('groups the instances of a cluster app, flat or under pm2_env, and keeps only the app env', () => {
    const entry = (id: number) => ({
      name: 'web',
      pm2_env: {
        pm_id: id,
        pm_exec_path: '/srv/web/index.js',
        pm_cwd: '/srv/web',
        exec_interpreter: 'node',
        exec_mode: 'cluster_mode',
        status: 'online',
        pm_out_log_path: `/var/log/web-out-${id}.log`,
        pm_err_log_path: `/home/u/.pm2/logs/web-error-${id}.log`,
        env: {
          NODE_ENV: 'production',
          PM2_HOME: '/home/u/.pm2',
          NODE_APP_INSTANCE: id,
          web: {},
          'bad-name': 'x',
        },
      },
    });
    const [web] = mapPm2Dump([entry(0), entry(1)], DUMP);
    expect(web!.app).toEqual({
      name: 'web',
      script: '/srv/web/index.js',
      cwd: '/srv/web',
      exec_mode: 'cluster',
      instances: 2,
      // no merge_logs in the dump: PM2 wrote one set of files per instance (its cluster default)
      merge_logs: false,
      out_file: '/var/log/web-out.log',
      env: { NODE_ENV: 'production' },
    });
    expect(web!.wasStopped).toBe(false);
  });

  it("keeps PM2's log lines: the colon PM2 writes after a stamp (--time's too) goes into log_date_format", () => {
    const base = { pm_exec_path: '/srv/a.js', pm_cwd: '/srv', exec_mode: 'fork_mode', status: 'online' };
    const [timed, formatted, plain] = mapPm2Dump(
      [
        // pm2 7.0.4 `start a.js --time`: time true beside the format it writes 2026-12-07T00:13:14: tick with
        { ...base, name: 'timed', time: true, log_date_format: 'YYYY-MM-DDTHH:mm:ss' },
        { ...base, name: 'formatted', log_date_format: 'YYYY-MM-DD HH:mm Z' },
        { ...base, name: 'plain' },
      ],
      DUMP,
    );
    expect(timed!.app).toMatchObject({ log_date_format: 'YYYY-MM-DDTHH:mm:ss:' });
    expect(timed!.app).not.toHaveProperty('time');
    expect(formatted!.app.log_date_format).toBe('YYYY-MM-DD HH:mm Z:');
    expect(plain!.app).not.toHaveProperty('log_date_format');
    // a dump of time: true alone (PM2 sets the format at start): PM2's --time format, not Velos's ISO stamps
    const [bare] = mapPm2Dump([{ ...base, name: 'bare', time: true }], DUMP);
    expect(bare!.app).toMatchObject({ log_date_format: 'YYYY-MM-DDTHH:mm:ss:' });
  });

  it("leaves out PM2's modules, which a pm2 jlist lists and pm2 save does not", () => {
    const jlist = [
      { name: 'api', pm2_env: { pm_exec_path: '/srv/api/index.js', pm_cwd: '/srv/api', status: 'online' } },
      {
        name: 'pm2-logrotate',
        pm2_env: {
          pm_exec_path: '/home/u/.pm2/modules/pm2-logrotate/node_modules/pm2-logrotate/app.js',
          pmx_module: true,
          status: 'online',
        },
      },
    ];
    expect(mapPm2Dump(jlist, '/home/u/pm2.json').map((app) => app.name)).toEqual(['api']);
    expect(pm2ModuleNames(jlist)).toEqual(['pm2-logrotate']);
    expect(pm2ModuleNames(jlist.slice(0, 1))).toEqual([]);
  });

  it('keeps several fork-mode processes of one name in fork mode (not the cluster of a bare instances)', () => {
    // pm2 7.0.4: an ecosystem app of instances: 2, exec_mode: 'fork' is dumped as two fork_mode entries
    const entry = { name: 'w', pm_exec_path: '/srv/w.js', pm_cwd: '/srv', exec_mode: 'fork_mode' };
    const [w] = mapPm2Dump([entry, entry], DUMP);
    expect(w!.app).toMatchObject({ exec_mode: 'fork', instances: 2 });
  });

  it("leaves PM2's default files to Velos in a dump copied elsewhere: the PM2_HOME its processes ran with", () => {
    const entry = {
      name: 'x',
      pm_id: 0,
      exec_mode: 'fork_mode',
      pm_exec_path: '/srv/x.js',
      pm_cwd: '/srv',
      status: 'online',
      pm_out_log_path: '/srv/pm2-home/logs/x-out.log',
      pm_err_log_path: '/var/log/x-err.log',
      pm_pid_path: '/srv/pm2-home/pids/x-0.pid',
      env: { PM2_HOME: '/srv/pm2-home' },
    };
    const [x] = mapPm2Dump([entry], '/tmp/copied/dump.pm2');
    expect(x!.app).not.toHaveProperty('out_file');
    expect(x!.app).not.toHaveProperty('pid_file');
    expect(x!.app).toMatchObject({ error_file: '/var/log/x-err.log' });
  });

  it('keeps the files of a jlist saved beside the project: its directory is no PM2 home when the env names one', () => {
    // pm2 jlist > /home/u/pm2.json: the app's own logs under /home/u/app are not PM2's defaults
    const entry = {
      name: 'app',
      pm2_env: {
        pm_id: 0,
        exec_mode: 'fork_mode',
        pm_exec_path: '/home/u/app/index.js',
        pm_cwd: '/home/u/app',
        status: 'online',
        pm_out_log_path: '/home/u/app/logs/out.log',
        pm_err_log_path: '/home/u/.pm2/logs/app-error.log',
        pm_pid_path: '/home/u/app/app-0.pid',
        env: { PM2_HOME: '/home/u/.pm2' },
      },
    };
    const [app] = mapPm2Dump([entry], '/home/u/pm2.json');
    expect(app!.app).toMatchObject({ out_file: '/home/u/app/logs/out.log', pid_file: '/home/u/app/app.pid' });
    expect(app!.app).not.toHaveProperty('error_file');
    // without PM2_HOME in its env (a dump not written by PM2 itself) the dump's directory stays one
    const bare = { ...entry, pm2_env: { ...entry.pm2_env, env: {} } };
    expect(mapPm2Dump([bare], '/home/u/app/dump.pm2')[0]!.app).not.toHaveProperty('out_file');
  });

  it("takes PM2's -<pm_id> off split log files and pid files only (issue #14 merge_logs)", () => {
    const base = { pm_exec_path: '/srv/a.js', pm_cwd: '/srv', exec_interpreter: 'node', status: 'online' };
    const [shared, split] = mapPm2Dump(
      [
        // merge_logs: true: a file whose name ends in digits keeps them; a pid file loses its pm_id
        {
          ...base,
          name: 'shared',
          merge_logs: true,
          pm_out_log_path: '/var/log/node-18.log',
          pm_pid_path: '/run/shared-4.pid',
        },
        // pm2 save drops pm_id: the one -<digits> before the extension is PM2's
        {
          ...base,
          name: 'split',
          pm_out_log_path: '/var/log/split-2024-7.log',
          pm_log_path: '/var/log/all-7',
        },
      ],
      DUMP,
    );
    expect(shared!.app).toMatchObject({
      merge_logs: true,
      out_file: '/var/log/node-18.log',
      pid_file: '/run/shared.pid',
    });
    expect(split!.app).toMatchObject({
      merge_logs: false,
      out_file: '/var/log/split-2024.log',
      log_file: '/var/log/all',
    });
    expect(split!.mapped.merge_logs).toBe(false);
    // PM2's default combined log (under its home) becomes Velos's: log_file true
    const [combined] = mapPm2Dump(
      [{ ...base, name: 'c', merge_logs: true, pm_log_path: `${dirname(DUMP)}/logs/c.log` }],
      DUMP,
    );
    expect(combined!.app.log_file).toBe(true);
  });

  it('keeps an out_file or error_file of /dev/null (PM2 wrote that stream nowhere), split or not', () => {
    const base = { pm_exec_path: '/srv/a.js', pm_cwd: '/srv', exec_interpreter: 'node', status: 'online' };
    // as pm2 save wrote it for out_file: '/dev/null' (or 'NULL') in a cluster app: no -<pm_id> on it
    const [quiet, errs] = mapPm2Dump(
      [
        {
          ...base,
          name: 'quiet',
          exec_mode: 'cluster_mode',
          pm_out_log_path: '/dev/null',
          pm_err_log_path: '/var/log/quiet-err-3.log',
          pm_log_path: '/dev/null',
          pm_pid_path: '/dev/null',
        },
        { ...base, name: 'errs', merge_logs: true, pm_err_log_path: '/dev/null' },
      ],
      DUMP,
    );
    // the output was written to Velos's logs/quiet-out.log: a chatty app PM2 kept off the disk filled it
    expect(quiet!.app).toMatchObject({ out_file: '/dev/null', error_file: '/var/log/quiet-err.log' });
    expect(quiet!.mapped.pm_out_log_path).toBe('/dev/null');
    expect([quiet!.app.log_file, quiet!.app.pid_file]).toEqual([undefined, undefined]);
    expect(errs!.app.error_file).toBe('/dev/null');
  });

  it('keeps a non-node interpreter, reports options without an equivalent and stopped apps', () => {
    const [job] = mapPm2Dump(
      [
        {
          name: 'job',
          pm_exec_path: '/srv/job.py',
          exec_interpreter: 'python3',
          status: 'stopped',
          vizion: false,
          autostart: false,
          max_memory_restart: 104_857_600,
          instance_var: 'INSTANCE',
          pm_pid_path: '/run/job.pid',
          shutdown_with_message: true,
        },
      ],
      DUMP,
    );
    expect(job!.app).toMatchObject({
      interpreter: 'python3',
      max_memory: 104_857_600,
      instance_var: 'INSTANCE',
      pid_file: '/run/job.pid',
      shutdown_with_message: true,
      autostart: false,
    });
    expect(job!.mapped.autostart).toBe(false);
    expect(job!.ignored).toEqual(['vizion']);
    expect(job!.wasStopped).toBe(true);
  });

  it("keeps PM2's user, group, filter_env and disable_logs; PM2's own defaults are not reported as ignored", () => {
    // as `pm2 save` of PM2 6 writes them: uid/gid resolved to numbers, its defaults in every entry
    const pm2Defaults = {
      vizion: true,
      treekill: true,
      kill_retry_time: 100,
      windowsHide: true,
      pmx: true,
      automation: true,
    };
    const [asUser, filtered, quiet, plain] = mapPm2Dump(
      [
        { name: 'as-user', pm_exec_path: '/srv/a.js', uid: 65534, gid: 65534, ...pm2Defaults },
        { name: 'filtered', pm_exec_path: '/srv/a.js', filter_env: ['SECRET_'], ...pm2Defaults },
        {
          name: 'quiet',
          pm_exec_path: '/srv/a.js',
          disable_logs: true,
          pm_out_log_path: '/home/u/.pm2/logs/quiet-out.log',
          ...pm2Defaults,
          treekill: false,
        },
        { name: 'plain', pm_exec_path: '/srv/a.js', filter_env: false, ...pm2Defaults },
      ],
      DUMP,
    );
    expect(asUser!.app).toMatchObject({ uid: 65534, gid: 65534 });
    expect(asUser!.mapped).toMatchObject({ uid: 65534, gid: 65534 });
    expect(filtered!.app.filter_env).toEqual(['SECRET_']);
    expect(quiet!.app.disable_logs).toBe(true);
    expect(quiet!.app.out_file).toBeUndefined();
    expect(plain!.app.filter_env).toBeUndefined();
    expect([asUser, filtered, plain].map((entry) => entry!.ignored)).toEqual([[], [], []]);
    // a default the app changed is its own choice, reported
    expect(quiet!.ignored).toEqual(['treekill']);
  });

  it('maps no cron_restart for PM2\'s 0 or "0" (no cron restart), as the app is imported without one', () => {
    const apps = mapPm2Dump(
      [
        { name: 'a', pm_exec_path: '/srv/a.js', cron_restart: '0' },
        { name: 'b', pm_exec_path: '/srv/b.js', cron_restart: 0 },
        { name: 'c', pm_exec_path: '/srv/c.js', cron_restart: '0 3 * * *' },
      ],
      DUMP,
    );
    expect(apps.map((app) => [app.mapped.cron_restart, app.app.cron_restart])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
      ['0 3 * * *', '0 3 * * *'],
    ]);
  });
});
