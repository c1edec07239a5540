import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readLiveState } from '../src/live-state.js';
import { isPidAlive } from '../src/proc-scan.js';
import { appSpec, Harness, type RawClient, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const KILL_TIMEOUT_MS = 1500;
const NAMES = ['s1', 's2', 's3'];

/** Starts three apps that ignore SIGTERM (each needs its full kill timeout) on a real daemon. */
async function startStubborn(): Promise<{
  home: string;
  child: ChildProcess;
  client: RawClient;
  pids: number[];
}> {
  const home = harness.home();
  const { child, client } = await harness.startDaemon(home);
  const apps = NAMES.map((name) =>
    appSpec(home, { name, script: 'ignore-sigterm.js', killTimeoutMs: KILL_TIMEOUT_MS }),
  );
  const { processes } = await client.call<{ processes: ProcessInfo[] }>('start', { apps });
  // Only once it printed its pid has a fixture installed its SIGTERM handler.
  for (const name of NAMES) {
    const out = join(home, 'logs', `${name}-out.log`);
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('stubborn pid'), {
      what: `${name} to ignore SIGTERM`,
    });
  }
  return { home, child, client, pids: processes.map((p) => p.pid!) };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

// Serial stops take 3 × 1.5 s = 4.5 s at least; in parallel about 1.5 s. The bound leaves room for a busy machine.
const PARALLEL_BOUND_MS = 2 * KILL_TIMEOUT_MS + 500;

describe('stopping every app (issue #19 item 4)', () => {
  it('velos kill stops apps that ignore SIGTERM in parallel: about one kill timeout, not three', async () => {
    const { child, client, pids } = await startStubborn();
    const startedAt = Date.now();
    const killed = await client.call<{ stopped: number }>('kill', undefined, 20_000);
    const tookMs = Date.now() - startedAt;
    expect(killed).toEqual({ stopped: 3 });
    expect(tookMs).toBeGreaterThanOrEqual(KILL_TIMEOUT_MS - 100);
    expect(tookMs).toBeLessThan(PARALLEL_BOUND_MS);
    await exited(child);
    expect(pids.filter(isPidAlive)).toEqual([]);
  });

  it('a second velos kill during the first waits for it: both are answered, the daemon then exits', async () => {
    const { home, child, client } = await startStubborn();
    const other = await harness.connect(home);
    const answers = await Promise.allSettled([
      client.call<{ stopped: number }>('kill', undefined, 20_000),
      other.call<{ stopped: number }>('kill', undefined, 20_000),
    ]);
    expect(answers).toEqual([
      { status: 'fulfilled', value: { stopped: 3 } },
      { status: 'fulfilled', value: { stopped: 3 } },
    ]);
    await exited(child);
  });

  it('SIGTERM to the daemon stops them in parallel too', async () => {
    const { child, pids } = await startStubborn();
    const startedAt = Date.now();
    child.kill('SIGTERM');
    await waitFor(() => pids.every((pid) => !isPidAlive(pid)), { what: 'every app to be stopped' });
    const tookMs = Date.now() - startedAt;
    expect(tookMs).toBeLessThan(PARALLEL_BOUND_MS);
    await exited(child);
  });

  it('a daemon that dies while velos kill stops its apps leaves them running in run/live.json', async () => {
    const { home, supervisor } = harness.supervisorWithLog();
    const stubborn = appSpec(home, {
      name: 'stubborn',
      script: 'ignore-sigterm.js',
      killTimeoutMs: KILL_TIMEOUT_MS,
    });
    await supervisor.start([appSpec(home, { name: 'quick' }), stubborn]);
    const out = join(home, 'logs', 'stubborn-out.log');
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('stubborn pid'), {
      what: 'stubborn to ignore SIGTERM',
    });
    const killing = supervisor.kill();
    await waitFor(
      async () => (await supervisor.list()).find((p) => p.name === 'quick')?.status === 'stopped',
      {
        what: 'quick to be stopped by the kill',
      },
    );
    // a stop answered writes the live table at once: the shutdown's own stops must not be in it
    await supervisor.stop('quick');
    const live = await readLiveState(home);
    expect(live.state?.apps.map((app) => [app.spec.name, app.running])).toEqual([
      ['quick', true],
      ['stubborn', true],
    ]);
    expect(await killing).toEqual({ stopped: 2 });
    expect((await readLiveState(home)).state).toBeNull();
  });
});
