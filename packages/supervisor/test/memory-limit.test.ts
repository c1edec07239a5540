import { afterEach, describe, expect, it } from 'vitest';
import { isOverMemoryLimit } from '../src/memory-limit.js';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const MB = 1024 * 1024;

describe('max_memory (SUP-9)', () => {
  it('is over the limit only for a running (online or starting) process with a limit, not during a user operation', () => {
    const target = {
      status: 'online' as const,
      isUserOp: false,
      memory: 300 * MB,
      app: { spec: { maxMemoryBytes: 200 * MB } },
    };
    expect(isOverMemoryLimit(target)).toBe(true);
    expect(isOverMemoryLimit({ ...target, memory: 100 * MB })).toBe(false);
    expect(isOverMemoryLimit({ ...target, app: { spec: {} } })).toBe(false);
    expect(isOverMemoryLimit({ ...target, status: 'starting' })).toBe(true);
    expect(isOverMemoryLimit({ ...target, status: 'stopping' })).toBe(false);
    expect(isOverMemoryLimit({ ...target, status: 'waiting-restart' })).toBe(false);
    expect(isOverMemoryLimit({ ...target, isUserOp: true })).toBe(false);
  });

  it('restarts a leaking process whose tree RSS passes max_memory, with reason memory', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(
      createSupervisor({ home, log: (line) => logLines.push(line), monitorIntervalMs: 200 }),
    );
    const [started] = await supervisor.start([
      appSpec(home, { name: 'leaky', script: 'leaky.js', maxMemoryBytes: 100 * MB, env: { LEAK_MB: '20' } }),
    ]);
    const restarted = await waitFor(
      async () => {
        const [info] = await supervisor.list();
        return info && info.restarts >= 1 && info.status === 'online' && info.pid !== started!.pid
          ? info
          : null;
      },
      { what: 'a memory restart', timeoutMs: 20_000 },
    );
    expect(restarted.lastExitReason).toBe('memory');
    const [detail] = await supervisor.describe('leaky');
    expect(detail!.memoryPeak).toBeGreaterThan(100 * MB);
    expect(logLines.some((line) => /over max_memory 100M: restarting/.test(line))).toBe(true);
    const errLines = await supervisor.logs({ target: 'leaky', stream: 'err', lines: 10 });
    expect(errLines.map((l) => l.line).join('\n')).toMatch(
      /velos: restarting: memory \d+M over max_memory 100M/,
    );
  });

  it('restarts a wait_ready process that passes max_memory before it says ready (still starting)', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(
      createSupervisor({ home, log: (line) => logLines.push(line), monitorIntervalMs: 200 }),
    );
    // it never sends 'ready': without the limit it would stay starting for the whole listen_timeout
    const starting = supervisor.start([
      appSpec(home, {
        name: 'balloon',
        script: 'leaky.js',
        waitReady: true,
        listenTimeoutMs: 60_000,
        maxMemoryBytes: 100 * MB,
        env: { LEAK_MB: '20' },
      }),
    ]);
    const restarted = await waitFor(
      async () => {
        const [info] = await supervisor.list();
        return info && info.restarts >= 1 ? info : null;
      },
      { what: 'a memory restart while starting', timeoutMs: 10_000 },
    );
    expect(restarted.lastExitReason).toBe('memory');
    expect(
      logLines.some((line) => /\(balloon\): memory \d+M over max_memory 100M: restarting/.test(line)),
    ).toBe(true);
    // the start answered once its run ended
    expect((await starting).map((p) => p.name)).toEqual(['balloon']);
  });

  it('ends errored, not in a restart loop, when the limit is below the baseline (max_restarts unstable runs)', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(
      createSupervisor({ home, log: (line) => logLines.push(line), monitorIntervalMs: 100 }),
    );
    // every run is over 1 MB at its first sample: each memory restart is unstable, however long it lived
    await supervisor.start([
      appSpec(home, { name: 'tight', script: 'silent.js', maxMemoryBytes: 1 * MB, maxRestarts: 2 }),
    ]);
    const errored = await waitFor(
      async () => {
        const [info] = await supervisor.list();
        return info?.status === 'errored' ? info : null;
      },
      { what: 'errored after max_restarts memory restarts', timeoutMs: 20_000 },
    );
    expect(errored.restarts).toBe(2);
    expect(errored.lastExitReason).toBe('memory');
    expect(errored.pid).toBeNull();
    expect(
      logLines.some((line) => /\(tight\): memory .* 3 unstable runs in a row.*stopped, errored/.test(line)),
    ).toBe(true);
    const errLines = await supervisor.logs({ target: 'tight', stream: 'err', lines: 10 });
    expect(errLines.map((l) => l.line).join('\n')).toMatch(
      /velos: stopped restarting: memory \d+(\.\d+)?M over max_memory 1M/,
    );
  });
});
