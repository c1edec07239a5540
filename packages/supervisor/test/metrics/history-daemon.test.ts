import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsHistory, MetricsSnapshot, ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_FILE } from '../../src/metrics/history-control.js';
import { createSupervisor } from '../../src/supervisor.js';
import { appSpec, Harness, type RawClient, waitFor } from '../helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

function exited(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', resolve));
}

async function historyOf(client: RawClient, target: string): Promise<MetricsHistory[]> {
  return (await client.call<{ history: MetricsHistory[] }>('metrics.history', { target })).history;
}

/** The names of the processes a history file holds (its JSON header). */
function savedNames(home: string): string[] {
  const bytes = readFileSync(join(home, HISTORY_FILE));
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + bytes.readUInt32LE(8)));
  return header.processes.map((saved: { name: string }) => saved.name);
}

describe('metrics history in the daemon (OBS-7)', () => {
  it('fills from the monitor, survives a daemon restart and is dropped with its process', async () => {
    const home = harness.home();
    const first = await harness.startDaemon(home);
    await first.client.call<{ processes: ProcessInfo[] }>('start', {
      apps: [
        appSpec(home, { name: 'chatty', script: 'chatty.js', env: { RATE: '20' } }),
        appSpec(home, { name: 'quiet' }),
      ],
    });
    // the monitor samples every 2 s: two points, the second with a log rate
    const before = await waitFor(
      async () => {
        const [history] = await historyOf(first.client, 'chatty');
        return history!.t.length >= 2 && (history!.logRate.at(-1) ?? 0) > 0 ? history! : null;
      },
      { what: 'two history points of chatty', timeoutMs: 30_000 },
    );
    expect(before).toMatchObject({ id: 0, name: 'chatty', instance: 0, namespace: 'default' });
    expect(before.memory.at(-1)).toBeGreaterThan(1_000_000);
    expect(before.restarts.at(-1)).toBe(0);
    expect(before.cpu.every((cpu) => cpu === null || cpu >= 0)).toBe(true);

    first.child.kill('SIGTERM');
    await exited(first.child);
    expect(statSync(join(home, HISTORY_FILE)).mode & 0o777).toBe(0o600);
    expect(savedNames(home).sort()).toEqual(['chatty', 'quiet']);

    const second = await harness.startDaemon(home);
    const [after] = await historyOf(second.client, 'chatty');
    expect(after!.t.slice(0, before.t.length)).toEqual(before.t);
    expect(after!.memory.slice(0, before.t.length)).toEqual(before.memory);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(/metrics history: loaded 2 process/);

    await second.client.call('delete', { target: 'chatty' });
    expect((await historyOf(second.client, 'all')).map((history) => history.name)).toEqual(['quiet']);
    await second.client.call('kill');
    await exited(second.child);
    expect(savedNames(home)).toEqual(['quiet']);
  }, 60_000);

  it('never lowers the restarts at velos reset: they count on as velos_process_restart_total does', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    // runs of 2.2 s, each sampled running (every 2 s), all unstable: errored after 3 runs, 2 restarts
    const crasher = appSpec(home, {
      name: 'crasher',
      script: 'crash-after.js',
      env: { CRASH_AFTER_MS: '2200' },
      restartDelayMs: 100,
      minUptimeMs: 5000,
      maxRestarts: 2,
    });
    // a running app keeps the monitor sampling, so the errored crasher gets its stop's gap point
    await client.call('start', { apps: [crasher, appSpec(home, { name: 'quiet' })] });
    const restartsAtErrored = () =>
      waitFor(
        async () => {
          const { processes } = await client.call<{ processes: ProcessInfo[] }>('list');
          const info = processes.find((p) => p.name === 'crasher')!;
          if (info.status !== 'errored') return null;
          // the stop's gap point, taken at the next sample, holds the count of the errored process
          const [history] = await historyOf(client, 'crasher');
          const counts = history!.restarts.filter((count) => count !== null);
          return history!.t.length > 0 && history!.cpu.at(-1) === null ? { info, counts } : null;
        },
        { what: 'crasher errored and sampled', timeoutMs: 30_000 },
      );
    const before = await restartsAtErrored();
    expect(before.info.restarts).toBe(2);
    expect(before.counts.at(-1)).toBe(2);

    const [reset] = (await client.call<{ processes: ProcessInfo[] }>('reset', { target: 'crasher' }))
      .processes;
    expect(reset!.restarts).toBe(0);
    await client.call('restart', { target: 'crasher' });
    await waitFor(
      async () =>
        (await client.call<{ processes: ProcessInfo[] }>('list')).processes.find((p) => p.name === 'crasher')!
          .status !== 'errored',
      { what: 'crasher restarted' },
    );
    const after = await restartsAtErrored();
    expect(after.info.restarts).toBeGreaterThanOrEqual(1);
    expect(after.counts.every((count, i) => i === 0 || count! >= after.counts[i - 1]!)).toBe(true);
    expect(after.counts.at(-1)).toBe(2 + after.info.restarts);
    const metrics = await client.call<MetricsSnapshot>('metrics');
    expect(metrics.processes.find((p) => p.name === 'crasher')!.restarts).toBe(after.counts.at(-1));
  }, 60_000);

  it('is saved by the hand-over of velos update (the SIGKILL that follows skips the save at close)', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home, monitorIntervalMs: 100 }));
    await supervisor.start([appSpec(home, { name: 'quiet' })]);
    await waitFor(
      async () => ((await supervisor.metricsHistory({ target: 'quiet' }))[0]?.t.length ?? 0) >= 1,
      {
        what: 'a history point of quiet',
      },
    );
    expect(existsSync(join(home, HISTORY_FILE))).toBe(false);
    await supervisor.handOver();
    expect(savedNames(home)).toEqual(['quiet']);
  });

  it('ignores a corrupt history file with one daemon.log line', async () => {
    const home = harness.home();
    writeFileSync(join(home, HISTORY_FILE), 'garbage', { mode: 0o600 });
    const { client } = await harness.startDaemon(home);
    await client.call('start', { apps: [appSpec(home, { name: 'web' })] });
    expect(await historyOf(client, 'web')).toMatchObject([{ name: 'web', t: [] }]);
    const log = await waitFor(() => {
      const text = readFileSync(join(home, 'daemon.log'), 'utf8');
      return text.includes('metrics history:') ? text : null;
    });
    expect(log.match(/metrics history: ignoring .*metrics-history\.bin: truncated file/g)).toHaveLength(1);
  });
});
