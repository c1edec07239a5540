import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logicalCwd } from '../src/logical-cwd.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-pwd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('logicalCwd', () => {
  it('is $PWD when it names this directory through a symlink (a deploy’s `current`)', () => {
    const current = join(dir, 'current');
    symlinkSync(process.cwd(), current);
    expect(logicalCwd({ PWD: current })).toBe(current);
    expect(logicalCwd({ PWD: current }, ['app.js', undefined, '/srv/../x.js'])).toBe(current);
  });

  it('is the physical directory when a relative path typed goes up: `..` is the physical parent (ls ../x)', () => {
    const current = join(dir, 'up');
    symlinkSync(process.cwd(), current);
    expect(logicalCwd({ PWD: current }, ['../shared/app.js'])).toBe(process.cwd());
    expect(logicalCwd({ PWD: current }, ['app.js', '..'])).toBe(process.cwd());
  });

  it('is the physical directory when $PWD is unset, stale, relative or holds . or ..', () => {
    const physical = process.cwd();
    expect(logicalCwd({})).toBe(physical);
    expect(logicalCwd({ PWD: dir })).toBe(physical);
    expect(logicalCwd({ PWD: join(dir, 'gone') })).toBe(physical);
    expect(logicalCwd({ PWD: 'current' })).toBe(physical);
    expect(logicalCwd({ PWD: `${physical}/.` })).toBe(physical);
    expect(logicalCwd({ PWD: `${dir}/../${physical.split('/').pop()}` })).toBe(physical);
  });
});
