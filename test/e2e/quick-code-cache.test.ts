import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, velosOk, waitForStatus } from './helpers.js';

// Issue 17: bin/velos.js runs the quick bundles with V8's code cache of an earlier run, kept in
// $VELOS_HOME/cache (apps/cli/src/quick-loader.ts): written once, read after, never trusted when
// someone else could have written it, and never in the way of the command's output.

afterEach(cleanupHomes);

/** Output with what differs between two calls a moment apart blanked: numbers and their units. */
function stable(text: string): string {
  return text.replace(/\d+(\.\d+)?[A-Za-z%]*/g, '#').replace(/ +/g, ' ');
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
