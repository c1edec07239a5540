import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-core-depends-on-names-'));
const ctx = { baseEnv: { PATH: '/usr/bin' }, cpuCount: 2 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The message of loading a YAML config document holding `apps`, which must fail. */
async function failureOf(yaml: string): Promise<string> {
  const path = join(dir, `app-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  const failure = await loadConfigFile(path, ctx).then(
    () => null,
    (error: unknown) => error,
  );
  if (!(failure instanceof Error)) throw new Error('expected the file to be refused');
  return failure.message;
}

describe('depends_on names (SUP-12)', () => {
  it('refuses a name no app can have, telling how to write a condition glued on it', async () => {
    const message = await failureOf(
      'apps:\n  - { name: db, script: db.js }\n  - { name: api, script: a.js, depends_on: "db:healthy" }\n',
    );
    // it used to pass `config validate` and fail at start: "depends_on 'db:healthy', which is neither…"
    expect(message).toContain(
      'apps[1].depends_on: expected an app name, got "db:healthy": a condition is given in a config file, depends_on: { db: healthy } (--depends-on takes names, condition started)',
    );
    expect(await failureOf('apps:\n  - { name: api, script: a.js, depends_on: [ "db/main" ] }\n')).toMatch(
      /apps\[0\]\.depends_on\[0\]: expected an app name, got "db\/main": expected 1-100 letters or digits/,
    );
  });
});
