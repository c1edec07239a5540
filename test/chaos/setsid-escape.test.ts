import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  deleteApps,
  descendantsOf,
  homeCommandPids,
  isAlive,
  SeenProcesses,
  sharedHome,
  velosOk,
  waitFor,
  waitForStatus,
} from './chaos-helpers.js';

const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

/** The live process of this home whose command line is exactly `command` (words split on spaces). */
function findCommand(home: string, command: string): number | undefined {
  return homeCommandPids(home, command.split(' '))[0];
}

// One daemon for the tests: each runs an app and sleeps of its own, and deletes its app at its end.
describe('grandchildren that left the process group with setsid', () => {
  const shared = sharedHome();
  beforeEach(() => clearApps(shared()));

  it('are found by their environment and stopped on delete, even when no monitor sample ever saw them', async () => {
    const home = shared();
    // The subshell exits at once: the setsid'd sleep is re-parented before any monitor sample.
    await velosOk(
      ['start', '(setsid sleep 3001 &); (setsid sleep 3002 &); exec sleep 3000', '--name', 'esc'],
      {
        home,
      },
    );
    const row = await waitForStatus(home, 'esc', 'online');
    seenPids.add(row.pid!);
    const escaped = await waitFor(
      () => {
        const pids = [findCommand(home, 'sleep 3001'), findCommand(home, 'sleep 3002')];
        return pids.every((pid) => pid !== undefined) ? (pids as number[]) : undefined;
      },
      { message: 'both setsid sleeps' },
    );
    for (const pid of escaped) seenPids.add(pid);
    for (const pid of escaped) expect(descendantsOf(row.pid!)).not.toContain(pid);

    await velosOk(['delete', 'esc'], { home });
    await waitFor(() => escaped.every((pid) => !isAlive(pid)), {
      timeoutMs: 5000,
      message: 'the escaped grandchildren to be stopped by the delete',
    });
  });

  it('are stopped with the leftovers of a run that exited by itself', async () => {
    const home = shared();
    await velosOk(
      ['start', '(setsid sleep 3003 &); sleep 1; exit 3', '--name', 'esc-exit', '--no-autorestart'],
      { home },
    );
    const escaped = await waitFor(() => findCommand(home, 'sleep 3003'), { message: 'the setsid sleep' });
    seenPids.add(escaped);
    await waitFor(async () => !isAlive(escaped), {
      timeoutMs: 10_000,
      message: 'the escaped sleep to be stopped',
    });
    expect(isAlive(escaped)).toBe(false);
    await deleteApps(home, ['esc-exit']);
  });

  it('are stopped when the run exits while one of them has no environment to read (in the middle of an exec)', async () => {
    const home = shared();
    // the grandchild runs with an empty environment (as a process in the middle of an execve reads) until
    // after the run exited, then execs with the run's VELOS_HOME and VELOS_ID
    const pidFile = join(home, 'grandchild.pid');
    const grandchild = `setsid env -i sh -c 'echo $$ > ${pidFile}; sleep 1.2; export VELOS_HOME="$0" VELOS_ID="$1"; exec sleep 3004' "$VELOS_HOME" "$VELOS_ID"`;
    await velosOk(['start', `(${grandchild} &); sleep 1; exit 3`, '--name', 'esc-exec', '--no-autorestart'], {
      home,
    });
    const escaped = await waitFor(() => Number(readFileSync(pidFile, 'utf8').trim()) || undefined, {
      message: 'the setsid grandchild',
    });
    seenPids.add(escaped);
    await waitFor(async () => !isAlive(escaped), {
      timeoutMs: 10_000,
      message: 'the escaped sleep to be stopped',
    });
    await deleteApps(home, ['esc-exec']);
  });
});
