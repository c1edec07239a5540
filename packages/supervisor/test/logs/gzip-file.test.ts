import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { gzipFile } from '../../src/logs/log-rotation.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('gzipFile: the temp file of a compression is never written through', () => {
  it('a symbolic link planted at <rotated>.gz.tmp is replaced; the file it names is unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-gzip-'));
    dirs.push(dir);
    const victim = join(dir, 'victim.conf');
    writeFileSync(victim, 'keep me\n');
    const rotated = join(dir, 'app-out__2026-12-07_21-40-00.log');
    writeFileSync(rotated, 'line 1\nline 2\n');
    symlinkSync(victim, `${rotated}.gz.tmp`);
    const target = await gzipFile(rotated);
    expect(target).toBe(`${rotated}.gz`);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(lstatSync(target).isFile()).toBe(true);
    expect(lstatSync(target).mode & 0o777).toBe(0o640);
    expect(gunzipSync(readFileSync(target)).toString('utf8')).toBe('line 1\nline 2\n');
    expect(() => lstatSync(`${rotated}.gz.tmp`)).toThrow(/ENOENT/);
  });
});
