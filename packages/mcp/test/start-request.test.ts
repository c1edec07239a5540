import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planStart } from '../src/start-request.js';
import type { ToolContext } from '../src/tool-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-start-request-'));
writeFileSync(join(dir, 'app.js'), '');
const ctx = { control: {}, cwd: dir, env: {}, cpuCount: 2 } as unknown as ToolContext;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planStart', () => {
  it('names a cwd that is no directory, rather than a script not found in it', async () => {
    await expect(planStart({ script: 'app.js', cwd: 'missing' }, ctx)).rejects.toThrow(
      `cwd: expected a directory, got "missing" (${join(dir, 'missing')} is none)`,
    );
    await expect(planStart({ script: 'sleep 100', cwd: join(dir, 'app.js') }, ctx)).rejects.toThrow(
      /^cwd: expected a directory/,
    );
  });

  it('says a missing script as given, with the cwd it was looked for in only when relative', async () => {
    await expect(planStart({ script: 'gone.js' }, ctx)).rejects.toThrow(
      `script not found: gone.js (relative to ${dir})`,
    );
    const absolute = join(dir, 'nope', 'gone.js');
    await expect(planStart({ script: absolute }, ctx)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: `script not found: ${absolute}`,
    });
  });

  it('takes a cwd that is a directory, as the base of a relative script', async () => {
    const { specs } = await planStart({ script: 'app.js', cwd: '.' }, ctx);
    expect(specs[0]?.script).toBe(join(dir, 'app.js'));
  });

  it('starts a script in a namespace, checked as a config file checks it', async () => {
    const { specs } = await planStart({ script: 'app.js', namespace: 'shop' }, ctx);
    expect(specs[0]?.namespace).toBe('shop');
    await expect(planStart({ script: 'app.js', namespace: 'all' }, ctx)).rejects.toThrow(
      /namespace other than "all"/,
    );
    await expect(planStart({ config: 'velos.toml', namespace: 'shop' }, ctx)).rejects.toThrow(
      'namespace does not apply to a config file; set it in the file instead',
    );
  });

  it('names the argument at fault, not the key of the config the script became', async () => {
    await expect(planStart({ script: 'app.js', name: 'bad/name' }, ctx)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^name: expected 1-100 letters or digits .*, got "bad\/name"$/),
    });
    // the same arguments, valid, plan the app they describe
    const { specs } = await planStart({ script: 'app.js', env: { A: 'x' }, instances: 2 }, ctx);
    expect(specs).toHaveLength(1);
    expect(specs[0]).toMatchObject({ instances: 2, env: { A: 'x' } });
  });
});
