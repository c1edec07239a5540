import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  deleteApps,
  describeState,
  isAlive,
  killPid,
  outLog,
  readLines,
  rowsNamed,
  sharedHome,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

/** Start times (epoch ms) that crash-after.js printed, one per run, from its captured stdout. */
function runStarts(home: string, name: string): number[] {
  return readLines(outLog(home, name))
    .map((line) => /started pid \d+ at (\d+)/.exec(line)?.[1])
    .filter((t): t is string => t !== undefined)
    .map(Number);
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe('restart policy (SUP-3)', () => {
  // Each test starts and reads only its own app (by name): they share one home and daemon.
  const shared = sharedHome();

  it('restarts a crashing app with a new pid', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/crash-after.js', '--name', 'crashy', '--', '100'], { home });
    const first = await waitForStatus(home, 'crashy', 'online');
    const later = await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'crashy'))[0];
        return row && row.restarts >= 2 && row.pid !== null && row.pid !== first.pid ? row : undefined;
      },
      { timeoutMs: 20_000, message: 'two restarts' },
    );
    expect(later.restarts).toBeGreaterThanOrEqual(2);
    // Each run printed its own start line.
    await waitFor(() => runStarts(home, 'crashy').length >= 3, { message: 'three start lines in the log' });
    await deleteApps(home, ['crashy']);
  });

  it('marks the app errored after max_restarts unstable restarts and keeps the exit code', async () => {
    const home = shared();
    await velosOk(
      [
        'start',
        'fixtures/crash-after.js',
        '--name',
        'unstable',
        '--max-restarts',
        '3',
        '--min-uptime',
        '5000',
      ],
      { home, env: { CRASH_AFTER_MS: '100', EXIT_CODE: '2' } },
    );
    const row = await waitForStatus(home, 'unstable', 'errored', 30_000);
    expect(row.restarts).toBe(3);
    expect(row.pid).toBeNull();
    expect(runStarts(home, 'unstable')).toHaveLength(4);
    const [detail] = await describeState(home, 'unstable');
    expect(detail?.exitCode).toBe(2);
    expect(detail?.signal).toBeNull();
  });

  it('waits restart_delay between a crash and the next run', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/crash-after.js', '--name', 'delayed', '--restart-delay', '600'], {
      home,
      env: { CRASH_AFTER_MS: '100' },
    });
    await waitFor(async () => (await rowsNamed(home, 'delayed'))[0]?.status === 'waiting-restart', {
      timeoutMs: 15_000,
      intervalMs: 100,
      message: 'status waiting-restart',
    });
    const starts = await waitFor(
      () => (runStarts(home, 'delayed').length >= 3 ? runStarts(home, 'delayed') : 0),
      {
        timeoutMs: 30_000,
        message: 'three runs',
      },
    );
    for (const gap of gaps(starts.slice(0, 3))) expect(gap).toBeGreaterThanOrEqual(600 + 100);
    await deleteApps(home, ['delayed']);
  });

  it('grows the delay exponentially with exp_backoff_restart_delay', async () => {
    const home = shared();
    await velosOk(
      [
        'start',
        'fixtures/crash-after.js',
        '--name',
        'backoff',
        '--exp-backoff-restart-delay',
        '200',
        '--min-uptime',
        '10000',
        '--max-restarts',
        '10',
      ],
      { home, env: { CRASH_AFTER_MS: '50' } },
    );
    const starts = await waitFor(
      () => (runStarts(home, 'backoff').length >= 4 ? runStarts(home, 'backoff') : 0),
      {
        timeoutMs: 40_000,
        message: 'four runs',
      },
    );
    const [g1, g2, g3] = gaps(starts.slice(0, 4)) as [number, number, number];
    // The delays the daemon chose grow ×1.5; the gaps between runs are at least those delays (a gap
    // also holds the spawn and the 50 ms run, which a busy machine stretches, so gaps are not compared).
    const delays = readLines(join(home, 'daemon.log'))
      .map((line) => /\(backoff\) exited with .*: restarting in (\d+) ms/.exec(line)?.[1])
      .filter((ms): ms is string => ms !== undefined)
      .map(Number);
    expect(delays.slice(0, 3)).toEqual([200, 300, 450]);
    expect(g1).toBeGreaterThanOrEqual(200);
    expect(g2).toBeGreaterThanOrEqual(300);
    expect(g3).toBeGreaterThanOrEqual(450);
    await deleteApps(home, ['backoff']);
  });

  it('does not restart on a stop exit code and shows the app stopped', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/crash-after.js', '--name', 'done', '--stop-exit-codes', '0,3'], {
      home,
      env: { CRASH_AFTER_MS: '200', EXIT_CODE: '3' },
    });
    const row = await waitForStatus(home, 'done', 'stopped', 15_000);
    expect(row.restarts).toBe(0);
    expect(row.pid).toBeNull();
    const [detail] = await describeState(home, 'done');
    expect(detail?.exitCode).toBe(3);
    // the app's own "done on purpose": a clean exit, not a crash
    expect(detail?.lastExitReason).toBe('exit');
    expect(runStarts(home, 'done')).toHaveLength(1);
  });

  it('does not restart with --no-autorestart', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/crash-after.js', '--name', 'once', '--no-autorestart'], {
      home,
      env: { CRASH_AFTER_MS: '200' },
    });
    const row = await waitFor(
      async () => {
        const r = (await rowsNamed(home, 'once'))[0];
        return r && (r.status === 'stopped' || r.status === 'errored') ? r : undefined;
      },
      { timeoutMs: 15_000, message: 'app not running' },
    );
    expect(row.restarts).toBe(0);
    expect(row.pid).toBeNull();
    const [detail] = await describeState(home, 'once');
    expect(detail?.exitCode).toBe(1);
  });

  it('keeps the signal that killed the process', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'victim', '--no-autorestart'], { home });
    const row = await waitForStatus(home, 'victim', 'online');
    killPid(row.pid ?? undefined);
    await waitFor(async () => (await rowsNamed(home, 'victim'))[0]?.pid === null, { message: 'app exited' });
    const [detail] = await describeState(home, 'victim');
    expect(detail?.signal).toBe('SIGKILL');
    expect(detail?.exitCode).toBeNull();
  });

  it('restart replaces the process and counts it; restart brings a stopped app back', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'svc'], { home });
    const first = await waitForStatus(home, 'svc', 'online');
    await velosOk(['restart', 'svc'], { home });
    const second = await waitFor(
      async () => {
        const r = (await rowsNamed(home, 'svc'))[0];
        return r?.status === 'online' && r.pid !== first.pid ? r : undefined;
      },
      { message: 'a new pid' },
    );
    expect(second.restarts).toBe(1);
    await waitFor(() => !isAlive(first.pid), { timeoutMs: 10_000, message: 'old process gone' });

    await velosOk(['stop', 'svc'], { home });
    await waitForStatus(home, 'svc', 'stopped');
    await velosOk(['restart', 'svc'], { home });
    const third = await waitForStatus(home, 'svc', 'online');
    expect(isAlive(third.pid)).toBe(true);
  });
});
