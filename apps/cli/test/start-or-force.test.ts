import { APP_DEFAULTS, type AppSpec, ErrorCodes, type ProcessDetail, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { startOrForce } from '../src/commands/start-or-force.js';

function spec(extra: Partial<AppSpec> = {}): AppSpec {
  return { ...APP_DEFAULTS, name: 'fj', script: '/srv/job.js', cwd: '/srv', env: {}, ...extra };
}

/** A daemon where `running` already runs: its start answers NAME_IN_USE; the scales asked for are kept. */
function daemonWith(running: AppSpec) {
  const scales: string[] = [];
  const client = {
    start: async () => {
      throw new VelosError(
        ErrorCodes.NAME_IN_USE,
        `an app named '${running.name}' is already running (id 0)`,
        {
          data: { name: running.name, ids: [0] },
        },
      );
    },
    scale: async (_name: string, instances: string) => {
      scales.push(instances);
      return [];
    },
    describe: async () => [{ spec: running } as unknown as ProcessDetail],
  };
  return { client, scales };
}

describe('startOrForce (velos start -f)', () => {
  it('adds instances of a running service', async () => {
    const { client, scales } = daemonWith(spec());
    await startOrForce(client, [spec()], true);
    expect(scales).toEqual(['+1']);
  });

  it('refuses -f on a job, which runs one instance, and adds none', async () => {
    const job = spec({ type: 'job', intervalMs: 3_600_000 });
    const { client, scales } = daemonWith(job);
    await expect(startOrForce(client, [job], true)).rejects.toMatchObject({
      code: ErrorCodes.NAME_IN_USE,
      message:
        "'fj' is a job, which runs one instance, never several at once: -f cannot add one (velos trigger fj runs it now)",
    });
    expect(scales).toEqual([]);
  });

  // it said "(or add -f to start more instances of it)", and -f then refused the job
  it('points a second start of a job to velos trigger, not to -f', async () => {
    const job = spec({ type: 'job', schedule: '0 3 * * *' });
    const { client, scales } = daemonWith(job);
    await expect(startOrForce(client, [job], false)).rejects.toMatchObject({
      code: ErrorCodes.NAME_IN_USE,
      message:
        "an app named 'fj' is already running (id 0) (a job runs one instance: velos trigger fj runs it now)",
    });
    await expect(startOrForce(client, [spec()], false)).rejects.toThrow(
      "an app named 'fj' is already running (id 0) (or add -f to start more instances of it)",
    );
    expect(scales).toEqual([]);
  });

  // it said "(or add -f to start more instances of it)", which a file of several apps refuses too
  it('points a second start of a config file to its reload, -f or not, and adds nothing', async () => {
    const web = spec({ name: 'web', source: { file: '/srv/app.toml' } });
    const { client, scales } = daemonWith(web);
    for (const isForced of [false, true]) {
      await expect(
        startOrForce(client, [web, spec({ name: 'w2' })], isForced, {
          path: '/srv/app.toml',
          typed: 'app.toml',
        }),
      ).rejects.toMatchObject({
        code: ErrorCodes.NAME_IN_USE,
        message:
          "'web' of app.toml runs already (id 0): velos config reload app.toml applies the file's changes, velos startOrRestart app.toml restarts its apps",
      });
    }
    expect(scales).toEqual([]);
  });

  // it said "'fj' runs /srv/job.js; … so /srv/job.js would not run" when only the interpreter differed
  it('names the interpreter and its arguments when they are what differs', async () => {
    const running = spec({ interpreterArgs: ['--max-old-space-size=64'] });
    const { client, scales } = daemonWith(running);
    await expect(startOrForce(client, [spec()], true)).rejects.toThrow(
      "'fj' runs /srv/job.js (interpreter args --max-old-space-size=64); -f adds instances of it (its " +
        'script, arguments and interpreter), so /srv/job.js would not run: delete it first (velos delete fj) ' +
        'or give another --name',
    );
    const bun = daemonWith(spec());
    await expect(
      startOrForce(bun.client, [spec({ interpreter: 'bun', interpreterArgs: ['--smol'] })], true),
    ).rejects.toThrow('so /srv/job.js (interpreter bun --smol) would not run');
    expect([...scales, ...bun.scales]).toEqual([]);
  });

  it('offers -f only where it can apply: one app, not forced already', async () => {
    const other = spec({ name: 'web', source: { file: '/srv/other.toml' } });
    const { client } = daemonWith(other);
    const file = { path: '/srv/app.toml', typed: 'app.toml' };
    await expect(startOrForce(client, [other, spec({ name: 'w2' })], true, file)).rejects.toThrow(
      /^an app named 'web' is already running \(id 0\)$/,
    );
    await expect(startOrForce(client, [other], false)).rejects.toThrow(
      "an app named 'web' is already running (id 0) (or add -f to start more instances of it)",
    );
  });
});
