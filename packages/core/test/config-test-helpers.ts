import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';
import { isVelosError } from '../src/errors.js';

/** What the config files of these tests are loaded with: PATH /usr/bin, 2 CPUs (instances: max is 2). */
const LOAD_CONTEXT = { baseEnv: { PATH: '/usr/bin' }, cpuCount: 2 };

/**
 * A temporary folder (`prefix`…) for the config files of the calling test file, removed after its last
 * test, and `load(name, text)`: writes `text` to the file `name` there and loads it as `velos start` does.
 * One per file, made by its top level: the files share a worker (`isolate: false`), so nothing is made here
 * at import.
 */
export function configFolder(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    load(name: string, text: string) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return loadConfigFile(path, LOAD_CONTEXT);
    },
  };
}

/** `CODE: message` of the Velos error `promise` is rejected with; any other end is a test failure. */
export async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isVelosError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected an error');
}
