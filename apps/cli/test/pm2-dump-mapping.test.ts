import { describe, expect, it } from 'vitest';
import { mapPm2Dump } from '../src/pm2/dump-mapping.js';

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
      out_file: '/var/log/web-out.log',
      env: { NODE_ENV: 'production' },
    });
    expect(web!.wasStopped).toBe(false);
  });

  it('keeps a non-node interpreter, reports options without an equivalent and stopped apps', () => {
    const [job] = mapPm2Dump(
      [
        {
          name: 'job',
          pm_exec_path: '/srv/job.py',
          exec_interpreter: 'python3',
          status: 'stopped',
          vizion: true,
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
    });
    expect(job!.ignored).toEqual(['vizion', 'autostart']);
    expect(job!.wasStopped).toBe(true);
  });
});
