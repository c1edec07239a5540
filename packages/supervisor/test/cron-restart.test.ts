import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('cron_restart (SUP-8)', () => {
  it('restarts the running processes of an app on its cron schedule, with reason cron', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
    const [first] = await supervisor.start([
      appSpec(home, { name: 'nightly', script: 'silent.js', cronRestart: '* * * * * *' }),
    ]);
    const restarted = await waitFor(
      async () => {
        const [info] = await supervisor.list();
        return info && info.restarts >= 1 && info.status === 'online' && info.pid !== first!.pid
          ? info
          : null;
      },
      { what: 'a scheduled restart' },
    );
    expect(restarted.lastExitReason).toBe('cron');
    expect(logLines.some((line) => line.includes("cron_restart '* * * * * *': restarting"))).toBe(true);

    await supervisor.stop('nightly');
    const restartsWhenStopped = (await supervisor.list())[0]!.restarts;
    // Asserting that nothing happens: wait one cron period and a half (there is no state to poll for).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [stopped] = await supervisor.list();
    expect(stopped).toMatchObject({ status: 'stopped', restarts: restartsWhenStopped });
  });

  it('starts again on each tick an app that exited by itself (autorestart false), not one the user stopped', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
    await supervisor.start([
      appSpec(home, {
        name: 'periodic',
        script: 'crash-after.js',
        args: ['100'],
        env: { EXIT_CODE: '0' },
        autorestart: false,
        cronRestart: '* * * * * *',
      }),
      // a witness on the same schedule: its restarts show that ticks went by
      appSpec(home, { name: 'witness', script: 'silent.js', cronRestart: '* * * * * *' }),
    ]);
    const restartsOf = async (name: string) =>
      (await supervisor.list()).find((info) => info.name === name)!.restarts;
    // on a loaded machine a tick may come before the 100 ms run exited (a restart of a running app):
    // wait for a start after an exit, not for a count of restarts
    await waitFor(
      () =>
        logLines.some((line) => line.includes("cron_restart '* * * * * *': starting again")) ? true : null,
      { what: 'a run started by the schedule after the app exited' },
    );

    await supervisor.stop('periodic');
    const stopped = (await supervisor.list()).find((info) => info.name === 'periodic');
    expect(stopped).toMatchObject({ status: 'stopped', lastExitReason: 'user' });
    // Asserting that nothing happens: until two more ticks restarted the witness
    const witnessed = await restartsOf('witness');
    await waitFor(async () => ((await restartsOf('witness')) >= witnessed + 2 ? true : null), {
      what: 'two more ticks',
    });
    expect((await supervisor.list()).find((info) => info.name === 'periodic')).toMatchObject({
      status: 'stopped',
      restarts: stopped!.restarts,
    });
  });

  it('refuses an expression croner cannot read, before starting anything', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await expect(
      supervisor.start([appSpec(home, { name: 'bad', script: 'silent.js', cronRestart: 'every night' })]),
    ).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: expect.stringMatching(/^cron_restart 'every night' is not valid/),
    });
    expect(await supervisor.list()).toEqual([]);
  });

  it('ends the schedule of a deleted app at once, not at its next tick (issue #19 item 13)', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    await client.call('start', { apps: [appSpec(home, { name: 'yearly', cronRestart: '0 0 1 1 *' })] });
    await client.call('delete', { target: 'yearly' });
    const daemonLog = join(home, 'daemon.log');
    await waitFor(() => readFileSync(daemonLog, 'utf8').includes("yearly: cron_restart '0 0 1 1 *' ended"), {
      what: 'the schedule to end with the app',
      timeoutMs: 5000,
    });
  });
});
