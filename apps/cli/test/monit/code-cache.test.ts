import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stampCacheKey } from '../../monit-build.js';
import { CACHE_KEY_STAMP, compileWithCodeCache, requireWithCodeCache } from '../../src/monit/code-cache.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A temporary directory for a CommonJS module `mod.cjs` and its cache; `file(answer)` writes the
 * module (always the same length) in a new directory each time: V8 compiles a source it has already
 * compiled under the same name from its in-memory cache, without reading the code cache at all.
 */
function moduleDir(): { file: (answer: string) => string; cacheDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'velos-code-cache-'));
  dirs.push(dir);
  let copies = 0;
  const file = (answer: string) => {
    copies += 1;
    const path = join(dir, String(copies));
    mkdirSync(path);
    const source = `const path = require('node:path');\nexports.answer = () => ${JSON.stringify(answer)};\nexports.base = path.basename(__filename);\n`;
    writeFileSync(join(path, 'mod.cjs'), source);
    return join(path, 'mod.cjs');
  };
  return { file, cacheDir: join(dir, 'cache') };
}

type Mod = { answer(): string; base: string };

describe('requireWithCodeCache (how velos monit loads dist/monit.cjs)', () => {
  it('runs a CommonJS file, keeps its code cache (0600 in a 0700 directory) and uses it the next time', () => {
    const { file, cacheDir } = moduleDir();
    const first = requireWithCodeCache<Mod>(file('aaaa'), cacheDir);
    expect([first.exports.answer(), first.exports.base, first.isCacheHit]).toEqual([
      'aaaa',
      'mod.cjs',
      false,
    ]);
    first.saveCache();
    const cacheFile = join(cacheDir, 'mod.cjs.v8-cache');
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);

    const second = requireWithCodeCache<Mod>(file('aaaa'), cacheDir);
    expect([second.exports.answer(), second.isCacheHit]).toEqual(['aaaa', true]);
    const written = readFileSync(cacheFile);
    second.saveCache();
    expect(readFileSync(cacheFile).equals(written)).toBe(true);
  });

  it('compiles first and runs later, once (monit compiles while the daemon answers)', () => {
    const { file, cacheDir } = moduleDir();
    requireWithCodeCache<Mod>(file('cccc'), cacheDir).saveCache();
    const compiled = compileWithCodeCache<Mod>(file('cccc'), cacheDir);
    expect(compiled.isCacheHit).toBe(true);
    const loaded = compiled.run();
    expect([loaded.exports.answer(), loaded.isCacheHit]).toEqual(['cccc', true]);
    expect(compiled.run()).toBe(loaded);
  });

  it('does not use the cache of another source of the same length (V8 checks only the length)', () => {
    const { file, cacheDir } = moduleDir();
    requireWithCodeCache<Mod>(file('aaaa'), cacheDir).saveCache();
    const changed = requireWithCodeCache<Mod>(file('bbbb'), cacheDir);
    expect([changed.exports.answer(), changed.isCacheHit]).toEqual(['bbbb', false]);
    changed.saveCache();
    expect(requireWithCodeCache<Mod>(file('bbbb'), cacheDir).isCacheHit).toBe(true);
  });

  it("reads the key of a bundle from the build's stamp, which changes with the content", async () => {
    const { file, cacheDir } = moduleDir();
    const stamped = async (answer: string) => {
      const path = file(answer);
      await stampCacheKey(path);
      await stampCacheKey(path); // stamping twice replaces the stamp
      return path;
    };
    const a = await stamped('aaaa');
    expect(readFileSync(a, 'utf8').startsWith(CACHE_KEY_STAMP)).toBe(true);
    expect(readFileSync(a, 'utf8').split('\n')).toHaveLength(5);
    const first = requireWithCodeCache<Mod>(a, cacheDir);
    expect([first.exports.answer(), first.isCacheHit]).toEqual(['aaaa', false]);
    first.saveCache();
    const stamp = readFileSync(a, 'utf8').slice(CACHE_KEY_STAMP.length, CACHE_KEY_STAMP.length + 64);
    expect(readFileSync(join(cacheDir, 'mod.cjs.v8-cache')).subarray(0, 64).toString()).toBe(stamp);
    expect(requireWithCodeCache<Mod>(await stamped('aaaa'), cacheDir).isCacheHit).toBe(true);
    const other = requireWithCodeCache<Mod>(await stamped('bbbb'), cacheDir);
    expect([other.exports.answer(), other.isCacheHit]).toEqual(['bbbb', false]);
  });

  it('compiles afresh when the cache file is damaged, and never fails for a cache it cannot write', () => {
    const { file, cacheDir } = moduleDir();
    requireWithCodeCache<Mod>(file('aaaa'), cacheDir).saveCache();
    const cacheFile = join(cacheDir, 'mod.cjs.v8-cache');
    const data = readFileSync(cacheFile);
    const keyLength = data.indexOf(10) + 1;
    writeFileSync(cacheFile, data.subarray(0, keyLength + 8));
    const truncated = requireWithCodeCache<Mod>(file('aaaa'), cacheDir);
    expect([truncated.exports.answer(), truncated.isCacheHit]).toEqual(['aaaa', false]);
    writeFileSync(
      cacheFile,
      Buffer.concat([data.subarray(0, keyLength), Buffer.alloc(data.length - keyLength, 7)]),
    );
    const garbled = requireWithCodeCache<Mod>(file('aaaa'), cacheDir);
    expect([garbled.exports.answer(), garbled.isCacheHit]).toEqual(['aaaa', false]);

    const blocked = join(cacheDir, 'not-a-dir');
    writeFileSync(blocked, '');
    const unwritable = requireWithCodeCache<Mod>(file('aaaa'), join(blocked, 'cache'));
    expect(() => unwritable.saveCache()).not.toThrow();
  });
});
