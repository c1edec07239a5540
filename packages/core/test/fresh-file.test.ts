import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// a full disk, as the kernel tells it: open succeeds, the write fails
const full = vi.hoisted(() => ({ isFull: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
    if (full.isFull)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return (fs.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

// the project's files share one module cache (isolate: false): load home.ts afresh, over the mock
vi.resetModules();
const { writeFreshFile } = await import('../src/home.js');

const dirs: string[] = [];
afterEach(() => {
  full.isFull = false;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeFreshFile', () => {
  it('leaves no empty file behind when the write fails (a full disk)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-fresh-'));
    dirs.push(dir);
    full.isFull = true;
    expect(() => writeFreshFile(join(dir, 'velos.lock.123'), '123\n')).toThrow(/ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
    full.isFull = false;
    writeFreshFile(join(dir, 'velos.lock.123'), '123\n');
    expect(existsSync(join(dir, 'velos.lock.123'))).toBe(true);
  });
});
