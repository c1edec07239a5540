import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURE_DIR,
  rowsNamed,
  runsState,
  SeenProcesses,
  velosOk,
  waitFor,
  waitForStatus,
} from './chaos-helpers.js';

/** libfaketime (Debian package libfaketime), wherever the architecture put it; null when absent. */
function findLibfaketime(): string | null {
  for (const base of ['/usr/lib', '/usr/local/lib']) {
    const direct = join(base, 'faketime', 'libfaketime.so.1');
    if (existsSync(direct)) return direct;
    let dirs: string[] = [];
    try {
      dirs = readdirSync(base);
    } catch {
      continue;
    }
    for (const dir of dirs) {
      const path = join(base, dir, 'faketime', 'libfaketime.so.1');
      if (existsSync(path)) return path;
    }
  }
  return null;
}

const libfaketime = findLibfaketime();
if (!libfaketime && process.env.CI === 'true') {
  throw new Error(
    'clock-jump chaos test: libfaketime.so.1 not found (apt-get install libfaketime; .ci/run does it)',
  );
}

const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

/**
 * The environment that runs the daemon (and its children) under libfaketime: the wall clock is the real
 * one shifted by the offset in `file` (re-read at every call), the monotonic clock is left alone.
 */
function fakeClockEnv(file: string): Record<string, string> {
  writeFileSync(file, '+0\n');
  return {
    LD_PRELOAD: libfaketime!,
    FAKETIME_TIMESTAMP_FILE: file,
    FAKETIME_NO_CACHE: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

describe.skipIf(libfaketime === null)('a wall-clock jump (libfaketime)', () => {
  it('a clock set back an hour during a restart delay does not delay the restart, and restarts go on after a forward jump', async () => {
    const home = createHome();
    const clockFile = join(home, 'faketime');
    const env = { ...fakeClockEnv(clockFile), CRASH_AFTER_MS: '500' };
    await velosOk(['start', `${FIXTURE_DIR}/crash-after.js`, '--name', 'crashy', '--restart-delay', '2s'], {
      home,
      env,
    });
    const first = await waitForStatus(home, 'crashy', 'online');
    seenPids.add(first.pid!);
    await waitForStatus(home, 'crashy', 'waiting-restart');
    writeFileSync(clockFile, '-1h\n');
    // With the delay on the wall clock this would wait an hour and two seconds.
    const restarted = await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'crashy'))[0];
        return (row?.restarts ?? 0) >= 1 ? row : undefined;
      },
      { timeoutMs: 15_000, message: 'the restart 2 s after the crash, whatever the wall clock says' },
    );
    if (restarted.pid) seenPids.add(restarted.pid);
    // Its uptime (as the restart policy sees it) is not negative: the app runs its 0.5 s and is restarted again.
    await waitForStatus(home, 'crashy', 'waiting-restart', 15_000);
    writeFileSync(clockFile, '+1d\n');
    const again = await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'crashy'))[0];
        return (row?.restarts ?? 0) >= 2 ? row : undefined;
      },
      { timeoutMs: 15_000, message: 'the second restart' },
    );
    if (again.pid) seenPids.add(again.pid);
  });

  it('a fixed-time cron job does not run twice when the clock is set back just after it ran (Vixie cron)', async () => {
    const home = createHome();
    const clockFile = join(home, 'faketime');
    const counter = join(home, 'backup.count');
    const env = { ...fakeClockEnv(clockFile), COUNTER_FILE: counter, TZ: 'UTC' };
    // a fixed time (no * or step in its seconds, minutes and hours) 8 s from now: a due time already gone
    // when the daemon schedules it is tomorrow's (3 s was passed by the start alone at load 20)
    const due = new Date(Date.now() + 8000);
    const schedule = `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;
    await velosOk(['start', `${FIXTURE_DIR}/job-counter.js`, '--name', 'backup', '--schedule', schedule], {
      home,
      env,
    });
    const count = (): number => Number(existsSync(counter) ? readFileSync(counter, 'utf8').trim() : 0);
    await waitFor(() => count() >= 1, { timeoutMs: 30_000, message: 'the run at its time' });
    // croner looks at the clock again within 30 s: it then finds the due time 1 s ahead once more
    writeFileSync(clockFile, '-31s\n');
    const said = 'ran already (the clock was set back): not run again';
    const isSaid = (): boolean => readFileSync(join(home, 'daemon.log'), 'utf8').includes(said);
    await waitFor(() => isSaid() || count() >= 2, {
      timeoutMs: 45_000,
      message: 'the due time reached a second time',
    });
    expect([count(), isSaid()]).toEqual([1, true]);
    expect((await runsState<{ trigger: string }>(home, 'backup')).map((run) => run.trigger)).toEqual([
      'schedule',
    ]);
  });

  it('an interval job keeps its pace when the clock is set back an hour; a run across the jump keeps its duration', async () => {
    const home = createHome();
    const clockFile = join(home, 'faketime');
    const counter = join(home, 'job.count');
    const env = { ...fakeClockEnv(clockFile), COUNTER_FILE: counter };
    await velosOk(['start', `${FIXTURE_DIR}/job-counter.js`, '--name', 'job', '--every', '500ms'], {
      home,
      env,
    });
    // a one-shot run of 4 s, going when the clock jumps
    await velosOk(['start', `${FIXTURE_DIR}/job-counter.js`, '--name', 'long', '--type', 'job'], {
      home,
      env: { ...env, COUNTER_FILE: join(home, 'long.count'), JOB_MS: '4000' },
    });
    const count = (): number => Number(existsSync(counter) ? readFileSync(counter, 'utf8').trim() : 0);
    await waitFor(() => count() >= 2, { message: 'two runs' });
    writeFileSync(clockFile, '-1h\n');
    const before = count();
    await waitFor(() => count() >= before + 3, {
      timeoutMs: 15_000,
      message: 'three more runs after the jump',
    });
    const [run] = await waitFor(
      async () => {
        const runs = await runsState<{ outcome: string; startedAt: number; endedAt: number }>(home, 'long');
        return runs[0]?.outcome === 'ok' ? runs : undefined;
      },
      { timeoutMs: 15_000, message: 'the run of long to end' },
    );
    // its end is its start plus what the monotonic clock measured: it was an hour before its start
    expect(run!.endedAt - run!.startedAt).toBeGreaterThanOrEqual(3500);
    expect(run!.endedAt - run!.startedAt).toBeLessThan(60_000);
  });
});
