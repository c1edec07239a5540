import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, velos, velosOk, waitForStatus } from './helpers.js';

// Issue 17: bin/velos.js runs the quick bundles with V8's code cache of an earlier run, kept in
// $VELOS_HOME/cache (apps/cli/src/quick-loader.ts): written once, read after, never trusted when
// someone else could have written it, and never in the way of the command's output.

afterEach(cleanupHomes);

/**
 * Output with what differs between two calls a moment apart blanked: numbers and their units, and the
 * `-` of a figure not sampled yet (the first CPU/memory sample comes a while after `online`).
 */
function stable(text: string): string {
  return text
    .replace(/\d+(\.\d+)?[A-Za-z%]*/g, '#')
    .replace(/(?<= )-(?= )/g, '#')
    .replace(/ +/g, ' ');
}

describe('the code cache of the quick paths', () => {
  it('is written once in the home (0600 in a 0700 directory), then read', async () => {
    const home = createHome();
    const first = await velosOk(['start', 'fixtures/silent.js', '--name', 'cache-a'], { home });
    await waitForStatus(home, 'cache-a', 'online');
    const listed = await velosOk(['list', '--json'], { home });
    for (const name of ['velos-start.cjs', 'velos.cjs']) {
      const cache = statSync(join(home, 'cache', `${name}.v8-cache`));
      expect(cache.mode & 0o777, name).toBe(0o600);
    }
    expect(statSync(join(home, 'cache')).mode & 0o777).toBe(0o700);
    const before = statSync(join(home, 'cache', 'velos.cjs.v8-cache'));
    const again = await velosOk(['list', '--json'], { home });
    expect(stable(again.stdout)).toBe(stable(listed.stdout));
    const after = statSync(join(home, 'cache', 'velos.cjs.v8-cache'));
    // a hit: the file was not replaced
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(first.stdout).toContain('cache-a');
  });

  it('is replaced when others could write it or V8 rejects it, with the same output', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'cache-b'], { home });
    await waitForStatus(home, 'cache-b', 'online');
    const expected = stable((await velosOk(['list'], { home })).stdout);
    const file = join(home, 'cache', 'velos.cjs.v8-cache');
    const written = readFileSync(file);

    chmodSync(file, 0o666);
    const loose = statSync(file);
    expect(stable((await velosOk(['list'], { home })).stdout)).toBe(expected);
    expect(statSync(file).ino).not.toBe(loose.ino);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // the key line kept, the code cache after it garbage
    const keyEnd = written.indexOf('\n') + 1;
    writeFileSync(file, Buffer.concat([written.subarray(0, keyEnd), Buffer.alloc(4096, 7)]), { mode: 0o600 });
    const corrupt = statSync(file);
    const result = await velosOk(['list'], { home });
    expect([stable(result.stdout), result.stderr]).toEqual([expected, '']);
    expect(statSync(file).ino).not.toBe(corrupt.ino);

    // a directory where the cache goes: the command runs as if there were none
    rmSync(file);
    mkdirSync(file);
    const beside = await velosOk(['list'], { home });
    expect([stable(beside.stdout), beside.stderr]).toEqual([expected, '']);
  });
});

// Node < 22.1 has no compile cache of its own: bin/velos.js keeps V8's code of the full CLI's files (dist/cli.cjs
// and its chunks) in $VELOS_HOME/cache/cli, one file each, as the quick bundles' (docs/benchmarks.md, session 35)
describe.skipIf(typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function')(
  'the code cache of the full CLI on Node 20',
  () => {
    it('is written by a command that succeeds, read by the next, and replaced when unusable, with the same output', async () => {
      const home = createHome();
      await velosOk(['start', 'fixtures/silent.js', '--name', 'cache-c'], { home });
      await waitForStatus(home, 'cache-c', 'online');
      const dir = join(home, 'cache', 'cli');
      const first = await velosOk(['describe', 'cache-c', '--json'], { home });
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const files = readdirSync(dir);
      expect(files).toContain('cli.cjs.v8-cache');
      for (const name of files) expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
      const entry = join(dir, 'cli.cjs.v8-cache');
      const before = statSync(entry);
      const again = await velosOk(['describe', 'cache-c', '--json'], { home });
      expect([stable(again.stdout), again.stderr]).toEqual([stable(first.stdout), '']);
      // a hit: not written again
      expect([statSync(entry).ino, statSync(entry).mtimeMs]).toEqual([before.ino, before.mtimeMs]);

      // garbage after the key line: V8 rejects it, the command runs as before and writes a good one
      const written = readFileSync(entry);
      const keyEnd = written.indexOf('\n') + 1;
      writeFileSync(entry, Buffer.concat([written.subarray(0, keyEnd), Buffer.alloc(4096, 7)]), {
        mode: 0o600,
      });
      const corrupt = statSync(entry);
      const rejected = await velosOk(['describe', 'cache-c', '--json'], { home });
      expect([stable(rejected.stdout), rejected.stderr]).toEqual([stable(first.stdout), '']);
      expect(statSync(entry).ino).not.toBe(corrupt.ino);

      // a cache others could write is not used; a cache of a file this build has not is removed
      chmodSync(entry, 0o666);
      writeFileSync(join(dir, 'chunk-GONE.cli.cjs.v8-cache'), 'old', { mode: 0o600 });
      const loose = await velosOk(['describe', 'cache-c', '--json'], { home });
      expect([stable(loose.stdout), loose.stderr]).toEqual([stable(first.stdout), '']);
      expect(statSync(entry).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).not.toContain('chunk-GONE.cli.cjs.v8-cache');

      // a failing command writes nothing; its error is the same
      rmSync(dir, { recursive: true });
      const missing = await velos(['describe', 'nope'], { home });
      expect([missing.code, missing.stderr]).toEqual([1, "velos: no process matches 'nope'\n"]);
      expect(() => statSync(dir)).toThrow();
    });
  },
);
