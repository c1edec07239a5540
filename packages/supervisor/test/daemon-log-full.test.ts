import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Harness } from './helpers.js';

// a full disk, as the kernel tells it: the rotated copy cannot be written
const full = vi.hoisted(() => ({ isFull: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const copyFileSync = ((...args: Parameters<typeof fs.copyFileSync>) => {
    if (full.isFull)
      throw Object.assign(new Error('ENOSPC: no space left on device, copyfile'), { code: 'ENOSPC' });
    return fs.copyFileSync(...args);
  }) as typeof fs.copyFileSync;
  return { ...fs, default: { ...fs, copyFileSync }, copyFileSync };
});

// the project's files share one module cache (isolate: false): load daemon-log.ts afresh, over the mock
vi.resetModules();
const { createDaemonLog } = await import('../src/daemon-log.js');

const harness = new Harness();
afterEach(() => {
  full.isFull = false;
  harness.cleanup();
});

describe('daemon.log on a full disk', () => {
  it('keeps every rotated copy when a rotation cannot make its copy, and rotates once there is room', () => {
    const path = join(harness.home(), 'daemon.log');
    writeFileSync(`${path}.1`, 'generation 1\n');
    writeFileSync(`${path}.2`, 'generation 2\n');
    writeFileSync(`${path}.3`, 'generation 3\n');
    const log = createDaemonLog(path, { maxBytes: 1000, keep: 3 });
    full.isFull = true;
    // each failed rotation used to shift the copies first: generation 3, then 2, then 1 were lost
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    // distinct lines (a repeat, numbers aside, is collapsed into a count)
    for (const a of words) for (const b of words) log(`before: ${a} and ${b}, long enough to fill the file`);
    expect([1, 2, 3].map((n) => readFileSync(`${path}.${n}`, 'utf8'))).toEqual([
      'generation 1\n',
      'generation 2\n',
      'generation 3\n',
    ]);
    expect(existsSync(`${path}.rotating`)).toBe(false);
    full.isFull = false;
    for (const a of words) log(`after: ${a}, long enough to fill the file soon`);
    log.close();
    expect(readFileSync(`${path}.2`, 'utf8')).toBe('generation 1\n');
    expect(readFileSync(`${path}.3`, 'utf8')).toBe('generation 2\n');
    expect(readFileSync(`${path}.1`, 'utf8')).toContain('before: theta and theta');
  });
});
