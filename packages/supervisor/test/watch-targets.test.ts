import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchTargets } from '../src/watch/watch-targets.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('watchTargets', () => {
  it('watches a glob in its base directory and counts only the paths it matches', () => {
    const base = '/srv/api';
    const { roots, isWatched } = watchTargets([`${base}/src/**/*.js`, `${base}/*.json`, `${base}/lib`]);
    expect(roots).toEqual([`${base}/src`, base, `${base}/lib`]);
    expect(isWatched(`${base}/src/a/b.js`)).toBe(true);
    expect(isWatched(`${base}/src/b.js`)).toBe(true);
    expect(isWatched(`${base}/src/readme.md`)).toBe(false);
    expect(isWatched(`${base}/package.json`)).toBe(true);
    expect(isWatched(`${base}/src/package.json`)).toBe(false);
    expect(isWatched(`${base}/data.db`)).toBe(false);
    // a plain path: everything below it
    expect(isWatched(`${base}/lib`)).toBe(true);
    expect(isWatched(`${base}/lib/x/y.txt`)).toBe(true);
    expect(isWatched(`${base}/library/y.txt`)).toBe(false);
  });

  it('takes a path with glob characters that exists as it is for a plain path (a directory named a[1])', () => {
    const base = mkdtempSync(join(tmpdir(), 'velos-watch-targets-'));
    dirs.push(base);
    const odd = join(base, 'a[1]');
    mkdirSync(odd);
    const { roots, isWatched } = watchTargets([odd]);
    expect(roots).toEqual([odd]);
    expect(isWatched(join(odd, 'x.js'))).toBe(true);
  });
});
