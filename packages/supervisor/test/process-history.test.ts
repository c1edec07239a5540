import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ProcessDetail } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readLiveState } from '../src/live-state.js';
import { appSpec, FIXTURES, Harness, type RawClient, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** What a test compares of a process before and after its daemon is replaced. */
type History = Pick<
  ProcessDetail,
  'name' | 'restarts' | 'unstableRestarts' | 'createdAt' | 'lastStartedAt' | 'exitCode' | 'lastExitReason'
>;

async function histories(client: RawClient): Promise<History[]> {
  const { processes } = await client.call<{ processes: ProcessDetail[] }>('describe', { target: 'all' });
  return processes.map((p) => ({
    name: p.name,
    restarts: p.restarts,
    unstableRestarts: p.unstableRestarts,
    createdAt: p.createdAt,
    lastStartedAt: p.lastStartedAt,
    exitCode: p.exitCode,
    lastExitReason: p.lastExitReason,
  }));
}

/** Waits until the live table a daemon keeps has `restarts` for each app named. */
async function waitForLiveRestarts(home: string, restarts: Record<string, number>): Promise<void> {
  await waitFor(
    async () => {
      const { state } = await readLiveState(home);
      return Object.entries(restarts).every(
        ([name, count]) =>
          state?.apps.find((app) => app.spec.name === name)?.history?.[0]?.restarts === count,
      );
    },
    { what: `the live table to hold the restarts ${JSON.stringify(restarts)}` },
  );
}

async function crash(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

describe('process history across daemons', () => {
  it('keeps restarts, created_at and the last run after a daemon crash or update; reset and resurrect start again', async () => {
    const home = harness.home();
    const first = await harness.startDaemon(home);
    await first.client.call('start', {
      apps: [
        appSpec(home, { name: 'rc' }),
        // an automatic restart after a delay: counted after the exit's write of the live table
        appSpec(home, {
          name: 'once',
          script: join(FIXTURES, 'crash-then-run.js'),
          args: [join(home, 'once.marker')],
          restartDelayMs: 1500,
          // its crash is unstable however long Node takes to reach it (over 1 s on a loaded machine)
          minUptimeMs: 10_000,
          env: { CRASH_AFTER_MS: '100', HOLD_MB: '1' },
        }),
        appSpec(home, {
          name: 'flaky',
          script: join(FIXTURES, 'crash-after.js'),
          maxRestarts: 1,
          minUptimeMs: 10_000,
          env: { CRASH_AFTER_MS: '50' },
        }),
      ],
    });
    await first.client.call('restart', { target: 'rc' });
    await first.client.call('restart', { target: 'rc' });
    await waitFor(
      async () => {
        const list = await histories(first.client);
        return list.find((p) => p.name === 'once')?.restarts === 1 &&
          list.find((p) => p.name === 'flaky')?.exitCode !== null &&
          list.find((p) => p.name === 'flaky')?.restarts === 1
          ? list
          : null;
      },
      { what: 'once restarted and flaky errored' },
    );
    const before = await histories(first.client);
    expect(before.map((p) => [p.name, p.restarts, p.unstableRestarts])).toEqual([
      ['rc', 2, 0],
      ['once', 1, 1],
      // errored after max_restarts 1: one unstable restart, as many as restarts (not one more)
      ['flaky', 1, 1],
    ]);
    await waitForLiveRestarts(home, { rc: 2, once: 1, flaky: 1 });

    await crash(first.child);
    const second = await harness.startDaemon(home);
    expect(await histories(second.client)).toEqual(before);

    await second.client.call('reset', { target: 'rc' });
    await waitForLiveRestarts(home, { rc: 0 });
    await crash(second.child);
    const third = await harness.startDaemon(home);
    const afterReset = await histories(third.client);
    expect(afterReset.find((p) => p.name === 'rc')).toMatchObject({
      restarts: 0,
      createdAt: before[0]!.createdAt,
    });

    // a clean stop saves state.json; a daemon started from it (a boot, resurrect) starts the apps
    // afresh with their counters at 0, as pm2 resurrect does, and keeps when each app was added; the
    // errored one is not started again, so it keeps its counts
    await third.client.call('kill');
    await new Promise((resolve) =>
      third.child.exitCode === null ? third.child.once('exit', resolve) : resolve(0),
    );
    const fourth = await harness.startDaemon(home);
    const resurrected = await waitFor(
      async () => {
        const list = await histories(fourth.client);
        return list
          .filter((p) => p.name !== 'flaky')
          .every((p) => p.lastStartedAt! > before[0]!.lastStartedAt!)
          ? list
          : null;
      },
      { what: 'the saved apps to run again' },
    );
    expect(resurrected.map((p) => [p.name, p.restarts, p.unstableRestarts, p.createdAt])).toEqual(
      before.map((p) => (p.name === 'flaky' ? [p.name, 1, 1, p.createdAt] : [p.name, 0, 0, p.createdAt])),
    );
  });
});
