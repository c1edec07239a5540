import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessDetail, VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readLiveState } from '../src/live-state.js';
import { appSpec, FIXTURES, Harness, type RawClient, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** What a test compares of a process across daemons. */
type Row = Pick<
  ProcessDetail,
  'name' | 'status' | 'pid' | 'restarts' | 'unstableRestarts' | 'exitCode' | 'lastExitReason'
>;

async function rows(client: RawClient): Promise<Record<string, Row>> {
  const { processes } = await client.call<{ processes: ProcessDetail[] }>('describe', { target: 'all' });
  return Object.fromEntries(
    processes.map((p) => [
      p.name,
      {
        name: p.name,
        status: p.status,
        pid: p.pid,
        restarts: p.restarts,
        unstableRestarts: p.unstableRestarts,
        exitCode: p.exitCode,
        lastExitReason: p.lastExitReason,
      },
    ]),
  );
}

async function events(client: RawClient, target: string, kind: string): Promise<VelosEvent[]> {
  const { events } = await client.call<{ events: VelosEvent[] }>('events', { target, kinds: [kind] });
  return events;
}

/** SIGKILLs a test daemon (by its pid) and waits until it is gone. */
async function crash(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/** An app that crashes 50 ms after each start: errored after one unstable restart. */
function flakySpec(home: string) {
  return appSpec(home, {
    name: 'flaky',
    script: join(FIXTURES, 'crash-after.js'),
    maxRestarts: 1,
    minUptimeMs: 10_000,
    env: { CRASH_AFTER_MS: '50' },
  });
}

describe('an errored process across daemons', () => {
  it('stays errored with its counts after a daemon crash and after a clean stop, with no new errored event; restart still runs it', async () => {
    const home = harness.home();
    const first = await harness.startDaemon(home);
    await first.client.call('start', {
      apps: [flakySpec(home), appSpec(home, { name: 'idle' }), appSpec(home, { name: 'web' })],
    });
    await first.client.call('stop', { target: 'idle' });
    const before = await waitFor(
      async () => {
        const now = await rows(first.client);
        return now.flaky?.status === 'errored' ? now : null;
      },
      { what: 'flaky to be errored' },
    );
    expect(before.flaky).toMatchObject({ restarts: 1, unstableRestarts: 1, exitCode: 1, pid: null });
    await waitFor(
      async () =>
        (await readLiveState(home)).state?.apps.find((a) => a.spec.name === 'flaky')?.running === false,
      { what: 'the live table to hold flaky no longer running' },
    );
    expect(await events(first.client, 'flaky', 'process.errored')).toHaveLength(1);

    // a daemon crash: the next daemon restores the live table
    await crash(first.child);
    const second = await harness.startDaemon(home);
    const afterCrash = await rows(second.client);
    expect(afterCrash.flaky).toEqual(before.flaky);
    expect(afterCrash.idle).toMatchObject({ status: 'stopped', pid: null });
    expect(afterCrash.web).toMatchObject({ status: 'online', pid: before.web!.pid });
    expect(await events(second.client, 'flaky', 'process.errored')).toHaveLength(1);

    // a clean stop: the next daemon (a boot) restores state.json; the errored app does not start afresh,
    // so it keeps its counts
    await second.client.call('kill');
    await new Promise((resolve) =>
      second.child.exitCode === null ? second.child.once('exit', resolve) : resolve(0),
    );
    const third = await harness.startDaemon(home);
    const afterBoot = await rows(third.client);
    expect(afterBoot.flaky).toEqual(before.flaky);
    expect(afterBoot.idle).toMatchObject({ status: 'stopped', pid: null });
    expect(afterBoot.web?.status).toMatch(/starting|online/);
    expect(await events(third.client, 'flaky', 'process.errored')).toHaveLength(1);
    // the shutdown stopped no run of theirs: no `process.stopped (user)` of an errored or stopped process
    expect(await events(third.client, 'flaky', 'process.stopped')).toEqual([]);
    expect(await events(third.client, 'idle', 'process.stopped')).toHaveLength(1);

    // restart runs it again as before: it crashes, restarts once and is errored again (a new event); as in
    // PM2, the restart of an errored process is not counted, its own restart after the crash is
    await third.client.call('restart', { target: 'flaky' });
    await waitFor(async () => (await events(third.client, 'flaky', 'process.errored')).length === 2, {
      what: 'flaky to be errored again after its restart',
    });
    expect((await rows(third.client)).flaky).toMatchObject({
      status: 'errored',
      restarts: 2,
      unstableRestarts: 1,
    });
  });

  it('goes on with the restart back-off after a daemon crash instead of starting it again', async () => {
    const home = harness.home();
    const first = await harness.startDaemon(home);
    await first.client.call('start', {
      apps: [
        appSpec(home, {
          name: 'loop',
          script: join(FIXTURES, 'crash-after.js'),
          maxRestarts: 1000,
          expBackoffRestartDelayMs: 100,
          maxBackoffDelayMs: 60_000,
          env: { CRASH_AFTER_MS: '20' },
        }),
      ],
    });
    // restarts after 100, 150, 225, 338 ms…
    await waitFor(
      async () => ((await readLiveState(home)).state?.apps[0]?.history?.[0]?.restarts ?? 0) >= 4,
      {
        what: 'four restarts with a growing back-off',
      },
    );
    await crash(first.child);
    const saved = (await readLiveState(home)).state!.apps[0]!.history![0]!.backoffMs;
    expect(saved).toBeGreaterThanOrEqual(338);
    // the events the dead daemon wrote; the next daemon's come after them
    const lastSeq = Math.max(
      0,
      ...readFileSync(join(home, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => (JSON.parse(line) as VelosEvent).seq),
    );
    const second = await harness.startDaemon(home);
    const next = await waitFor(
      async () => (await events(second.client, 'loop', 'process.restarting')).find((e) => e.seq > lastSeq),
      { what: 'the first restart after the restore' },
    );
    const expected = Math.round(saved * 1.5);
    expect(next.fields?.delay_ms).toBeGreaterThanOrEqual(expected - 50);
    expect(next.fields?.delay_ms).toBeLessThanOrEqual(expected);
    await second.client.call('stop', { target: 'loop' });
  });
});
