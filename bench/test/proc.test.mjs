import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../lib/exec.mjs';
import {
  findMarkedPids,
  hasEnvMarker,
  isAlive,
  readCpuSeconds,
  readRssBytes,
  signalPid,
  stopPids,
} from '../lib/proc.mjs';
import { waitFor } from '../lib/wait.mjs';

const started = [];
afterEach(() => {
  for (const pid of started.splice(0)) signalPid(pid, 'SIGKILL');
});

/** Spawns an idle node that can ignore SIGTERM, and resolves once its code runs. */
async function spawnIdle({ env = {}, ignoreTerm = false } = {}) {
  const code = `${ignoreTerm ? "process.on('SIGTERM', () => {}); " : ''}console.log('ready'); setInterval(() => {}, 1000)`;
  const child = spawn(process.execPath, ['-e', code], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, ...env },
  });
  started.push(child.pid);
  let ready = false;
  child.stdout.on('data', () => {
    ready = true;
  });
  await waitFor(() => ready, { timeoutMs: 15_000, what: 'the child to run' });
  return child;
}

describe('/proc readers and PID control', () => {
  it('reads RSS and CPU of a live process and finds it by its environment marker', async () => {
    const marker = `test-${process.pid}-${Date.now()}`;
    const child = await spawnIdle({ env: { VELOS_BENCH_RUN: marker } });
    expect(hasEnvMarker(child.pid, 'VELOS_BENCH_RUN', marker)).toBe(true);
    expect(readRssBytes(child.pid)).toBeGreaterThan(10_000_000);
    expect(readCpuSeconds(child.pid)).toBeGreaterThanOrEqual(0);
    expect(findMarkedPids('VELOS_BENCH_RUN', marker)).toEqual([child.pid]);
    expect(hasEnvMarker(child.pid, 'VELOS_BENCH_RUN', 'another-run')).toBe(false);
  });

  it('stops processes by PID and reports what needed SIGKILL', async () => {
    const polite = await spawnIdle();
    const stubborn = await spawnIdle({ ignoreTerm: true });
    const killed = await stopPids([polite.pid, stubborn.pid], { graceMs: 1000 });
    expect(killed).toEqual([stubborn.pid]);
    expect(isAlive(polite.pid)).toBe(false);
    expect(isAlive(stubborn.pid)).toBe(false);
    expect(readRssBytes(polite.pid)).toBeNull();
  });
});

describe('runCommand', () => {
  it('returns at exit even when a detached grandchild keeps stdout open', async () => {
    const script =
      "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], " +
      "{ stdio: 'inherit', detached: true }); c.unref(); console.log(c.pid);";
    const before = performance.now();
    const result = await runCommand(process.execPath, ['-e', script], { timeoutMs: 15_000 });
    const grandchild = Number(result.stdout.trim());
    started.push(grandchild);
    expect(result.code).toBe(0);
    expect(grandchild).toBeGreaterThan(0);
    expect(performance.now() - before).toBeLessThan(10_000);
    expect(result.ms).toBeLessThan(performance.now() - before);
  });
});
