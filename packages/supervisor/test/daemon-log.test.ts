import type { ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemonLog } from '../src/daemon-log.js';
import { createRepeatFilter, REPEAT_BURST_LINES } from '../src/log-repeats.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

function linesOf(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

describe('daemon.log', () => {
  it('collapses a flood of one failure into a few lines and one count', () => {
    const path = join(harness.home(), 'daemon.log');
    const log = createDaemonLog(path);
    for (let i = 0; i < 1000; i += 1)
      log(`cannot write logs/app-out.log: ENOSPC: no space left on device (batch ${i})`);
    log('something else');
    log.close();
    const lines = linesOf(path);
    expect(lines).toHaveLength(REPEAT_BURST_LINES + 2);
    expect(lines.at(-2)).toMatch(/\] something else$/);
    expect(lines.at(-1)).toMatch(
      /last message repeated 995 more times in 10 s: cannot write logs\/app-out\.log: ENOSPC: .*\(batch 5\.\.999\)$/,
    );
  });

  it('keeps the range of the numbers that differ among the lines it folds (growing restart delays)', () => {
    const written: string[] = [];
    const repeats = createRepeatFilter(
      (line) => written.push(line),
      10_000,
      () => 0,
    );
    for (const [id, delay] of [
      [3, 100],
      [3, 150],
      [4, 225],
      [3, 338],
      [4, 506],
      [3, 759],
      [4, 1139],
      [3, 1708],
    ])
      repeats.push(`process ${id} (api) exited with code 1: restarting in ${delay} ms`);
    repeats.flush();
    expect(written).toHaveLength(REPEAT_BURST_LINES + 1);
    expect(written.at(-1)).toBe(
      'last message repeated 3 more times in 10 s: process 3..4 (api) exited with code 1: restarting in 759..1708 ms',
    );
    for (let i = 0; i < REPEAT_BURST_LINES + 2; i += 1)
      repeats.push('process 7 (web) exited with code 1: restarting in 0 ms');
    repeats.flush();
    expect(written.at(-1)).toBe(
      'last message repeated 2 more times in 10 s: process 7 (web) exited with code 1: restarting in 0 ms',
    );
  });

  it('is rotated by size, keeping a few old files, and a second descriptor (stderr) keeps writing to it', () => {
    const home = harness.home();
    const path = join(home, 'daemon.log');
    const log = createDaemonLog(path, { maxBytes: 2000, keep: 2 });
    const stderr = openSync(path, constants.O_WRONLY | constants.O_APPEND);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
    for (const a of words)
      for (const b of words) log(`a line about ${a} and ${b}, long enough to fill the file soon`);
    writeSync(stderr, 'FATAL ERROR: written by V8 on stderr\n');
    closeSync(stderr);
    log.close();
    expect(statSync(path).size).toBeLessThan(2000 + 200);
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    expect(readFileSync(path, 'utf8')).toContain('FATAL ERROR: written by V8 on stderr');
    expect(statSync(`${path}.1`).mode & 0o777).toBe(0o600);
  });

  it('of a real daemon whose app log hits ENOSPC holds a few lines and the count, not one line per failed write', async () => {
    const home = harness.home();
    const { child, client } = await harness.startDaemon(home);
    await client.call('start', {
      apps: [
        appSpec(home, {
          name: 'full',
          script: 'chatty.js',
          outFile: '/dev/full',
          autorestart: false,
          env: { RATE: '200', COUNT: '400' },
        }),
      ],
    });
    await waitFor(
      async () => {
        const { processes } = await client.call<{ processes: ProcessInfo[] }>('list');
        return processes[0]?.status === 'stopped' || processes[0]?.status === 'errored';
      },
      { what: 'chatty to print its 400 lines and exit' },
    );
    await client.call('kill');
    await exitOf(child);
    const failures = linesOf(join(home, 'daemon.log')).filter((line) =>
      line.includes('writing /dev/full failed'),
    );
    expect(failures).toHaveLength(REPEAT_BURST_LINES + 1);
    const count = Number(/last message repeated (\d+) more times/.exec(failures.at(-1)!)?.[1]);
    expect(count).toBeGreaterThanOrEqual(10);
  });
});

function exitOf(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', resolve));
}
