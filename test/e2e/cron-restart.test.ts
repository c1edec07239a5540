import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, describeJson, rowsNamed, velos, velosOk, waitFor } from './helpers.js';

afterEach(cleanupHomes);

describe('cron_restart (SUP-8)', () => {
  it('restarts an app on the schedule given with --cron-restart', async () => {
    const home = createHome();
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
    const [detail] = await describeJson(home, 'nightly');
    expect(detail!.lastExitReason).toBe('cron');
    expect(detail!.spec).toMatchObject({ cronRestart: '* * * * * *' });
  });

  it('refuses a schedule it cannot read, and starts nothing', async () => {
    const home = createHome();
    const result = await velos(['start', 'fixtures/silent.js', '--cron-restart', 'nope'], { home });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^velos: cron_restart 'nope' is not valid: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await rowsNamed(home, 'silent')).toEqual([]);
  });
});
