import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  deleteApps,
  homeCommandPids,
  listJson,
  listState,
  SeenProcesses,
  sharedHome,
  velosOk,
  waitFor,
} from './chaos-helpers.js';

/** Every pid a test saw, killed in teardown whatever happened. */
const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

const GROUPED = 250;
const ESCAPED = 50;

/** Live processes of this home running `sleep <seconds>` (polled while 300 of them run). */
function sleepers(home: string, seconds: number): number[] {
  return homeCommandPids(home, ['sleep', String(seconds)]);
}

/** A shell that forks `GROUPED` sleeps in its group and `ESCAPED` that call setsid, then `tail`. */
function storm(seconds: number, tail: string): string {
  return `for i in $(seq ${GROUPED}); do sleep ${seconds} & done; for i in $(seq ${ESCAPED}); do setsid sleep ${seconds} & done; ${tail}`;
}

// One daemon for both tests: each runs its own storm (sleeps of seconds of its own) and deletes it.
describe('a child that forks hundreds of grandchildren', () => {
  const shared = sharedHome();
  beforeEach(() => clearApps(shared()));

  it('then exits: none of them is left (group and setsid ones), and the daemon answers meanwhile', async () => {
    const home = shared();
    const go = join(home, 'go');
    await velosOk(
      [
        'start',
        storm(601, `until [ -e ${go} ]; do sleep 0.1; done; exit 0`),
        '--name',
        'storm',
        '--no-autorestart',
      ],
      {
        home,
      },
    );
    const all = await waitFor(
      () => {
        const pids = sleepers(home, 601);
        return pids.length === GROUPED + ESCAPED ? pids : undefined;
      },
      { message: `${GROUPED + ESCAPED} grandchildren` },
    );
    for (const pid of all) seenPids.add(pid);
    writeFileSync(go, '');
    // The shell exits: the daemon stops what the exited run left, answering all the while.
    // the daemon's list over its socket each round: it answers meanwhile
    await waitFor(
      async () => {
        const rows = await listState(home);
        expect(rows[0]?.name).toBe('storm');
        return sleepers(home, 601).length === 0;
      },
      { timeoutMs: 30_000, message: 'every grandchild of the exited run to be stopped' },
    );
    expect((await listJson(home))[0]?.status).not.toBe('online');
    await deleteApps(home, ['storm']);
  });

  it('still running: delete stops the whole storm', async () => {
    const home = shared();
    await velosOk(['start', storm(602, 'exec sleep 603'), '--name', 'storm'], { home });
    const all = await waitFor(
      () => {
        const pids = sleepers(home, 602);
        return pids.length === GROUPED + ESCAPED ? pids : undefined;
      },
      { message: `${GROUPED + ESCAPED} grandchildren` },
    );
    for (const pid of all) seenPids.add(pid);
    await velosOk(['delete', 'storm'], { home });
    expect(sleepers(home, 602)).toEqual([]);
    expect(sleepers(home, 603)).toEqual([]);
    expect(await listJson(home)).toEqual([]);
  });
});
