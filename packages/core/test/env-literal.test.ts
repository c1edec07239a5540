import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';
import { isVelosError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-env-literal-'));
const ctx = { baseEnv: {}, cpuCount: 2 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadConfigFile(file, ctx);
}

async function messageOf(name: string, text: string): Promise<string> {
  const error = await load(name, text).catch((e: unknown) => e);
  if (isVelosError(error)) return error.message;
  throw new Error(`expected a config error, got ${String(error)}`);
}

// the app got VERSION=1.1, PORT=8080, DEBUG=true: the parser's number or boolean, not what was written
describe('env values written as numbers or booleans', () => {
  it('passes those that read as written', async () => {
    const [spec] = await load(
      'ok.toml',
      '[[apps]]\nname = "a"\nscript = "a.js"\nenv = { PORT = 3000, DEBUG = true, RATIO = 0.5, N = -3 }\n',
    );
    expect(spec?.env).toEqual({ PORT: '3000', DEBUG: 'true', RATIO: '0.5', N: '-3' });
  });

  it.each([
    [
      'v.toml',
      '[[apps]]\nname = "a"\nscript = "a.js"\nenv = { PORT = 80, VERSION = 1.10 }\n',
      'apps[0].env.VERSION: 1.10 would reach the app as "1.1"',
      '"1.10" (line 4)',
    ],
    [
      'p.yaml',
      'apps:\n  - name: a\n    script: a.js\n    env:\n      PORT: 08080\n',
      'apps[0].env.PORT: 08080 would reach the app as "8080"',
      '"08080" (line 5)',
    ],
    [
      'd.yaml',
      'apps:\n  - name: a\n    script: a.js\n    env: {DEBUG: True}\n',
      'apps[0].env.DEBUG: True would reach the app as "true"',
      '"True" (line 4)',
    ],
    [
      'v.json',
      '{"apps": [\n  {"name": "a", "script": "a.js", "env": {"V": 1e3}}\n]}',
      'apps[0].env.V: 1e3 would reach the app as "1000"',
      '"1e3" (line 2)',
    ],
    [
      'd.toml',
      '[defaults]\nenv = { V = 2.50 }\n[[apps]]\nname = "a"\nscript = "a.js"\n',
      'defaults.env.V: 2.50 would reach the app as "2.5"',
      '"2.50" (line 2)',
    ],
    [
      'e.toml',
      '[[apps]]\nname = "a"\nscript = "a.js"\n[apps.env_production]\nO = 0o17\n',
      'apps[0].env_production.O: 0o17 would reach the app as "15"',
      '"0o17" (line 5)',
    ],
  ])('refuses %s, naming the key and what it would become', async (name, text, what, fix) => {
    expect(await messageOf(name, text)).toBe(
      `${name}: ${what} (env values are text): write it in quotes, ${fix}`,
    );
  });

  it('leaves a PM2 process file as PM2 reads it (String of the value)', async () => {
    const [spec] = await load(
      'ecosystem.json',
      '{"apps": [{"name": "a", "script": "a.js", "env": {"V": 1.10}}]}',
    );
    expect(spec?.env).toEqual({ V: '1.1' });
  });
});
