import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  describeState,
  rowsNamed,
  sharedHome,
  velos,
  velosOk,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

describe('cron_restart (SUP-8)', () => {
  // one daemon for the file: each test starts and ends without apps (their schedules tick every second)
  const shared = sharedHome();

  it('restarts an app on the schedule given with --cron-restart', async () => {
    const home = shared();
    await clearApps(home);
    await velosOk(['start', 'fixtures/silent.js', '--name', 'nightly', '--cron-restart', '* * * * * *'], {
      home,
    });
    await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'nightly'))[0];
        return row && row.restarts >= 1 && row.status === 'online' ? row : undefined;
      },
      { timeoutMs: 15_000, message: 'a scheduled restart' },
    );
    const [detail] = await describeState(home, 'nightly');
    expect(detail!.lastExitReason).toBe('cron');
    expect(detail!.spec).toMatchObject({ cronRestart: '* * * * * *' });
    await clearApps(home);
  });

  it('runs an app that exits by itself again on each tick (--cron --no-autorestart), until velos stop', async () => {
    const home = shared();
    await clearApps(home);
    await velosOk(
      [
        'start',
        'fixtures/crash-after.js',
        '--name',
        'periodic',
        '--cron',
        '* * * * * *',
        '--no-autorestart',
        '--',
        '100',
      ],
      { home },
    );
    // a witness on the same schedule: its restarts show that ticks went by
    await velosOk(['start', 'fixtures/silent.js', '--name', 'witness', '--cron', '* * * * * *'], { home });
    const witnessRestarts = async () => (await rowsNamed(home, 'witness'))[0]?.restarts ?? 0;
    const twice = await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'periodic'))[0];
        return row && row.restarts >= 2 ? row : undefined;
      },
      { timeoutMs: 15_000, message: 'two runs started by the schedule' },
    );
    expect(twice.restarts).toBeGreaterThanOrEqual(2);
    await velosOk(['stop', 'periodic'], { home });
    const [stopped] = await rowsNamed(home, 'periodic');
    expect(stopped).toMatchObject({ status: 'stopped', lastExitReason: 'user' });
    // Asserting that nothing happens: until two more ticks restarted the witness
    const witnessed = await witnessRestarts();
    await waitFor(async () => ((await witnessRestarts()) >= witnessed + 2 ? true : undefined), {
      timeoutMs: 15_000,
      message: 'two more ticks',
    });
    expect((await rowsNamed(home, 'periodic'))[0]).toMatchObject({
      status: 'stopped',
      restarts: stopped!.restarts,
    });
    await clearApps(home);
  });

  it('refuses a schedule it cannot read, and starts nothing', async () => {
    const home = shared();
    await clearApps(home);
    const result = await velos(['start', 'fixtures/silent.js', '--cron-restart', 'nope'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^velos: --cron-restart: expected a cron expression like "0 3 \* \* \*", got "nope" /,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await rowsNamed(home, 'silent')).toEqual([]);
  });
});
