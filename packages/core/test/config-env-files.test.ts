import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configEnvFiles } from '../src/config-env-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-env-files-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'conf'));
  return dir;
}

describe('configEnvFiles (--watch-config watches them beside the file)', () => {
  it("names the apps' and [defaults]' env_files, relative ones against the file's directory", async () => {
    const dir = project();
    const file = join(dir, 'conf', 'velos.toml');
    writeFileSync(
      file,
      [
        '[defaults]',
        'env_file = "common.env"',
        '[[apps]]',
        'name = "api"',
        'script = "api.js"',
        'env_file = ["../.env", "/etc/velos/api.env"]',
        '[[apps]]',
        'name = "worker"',
        'script = "worker.js"',
        'env_file = "common.env"',
      ].join('\n'),
    );
    expect((await configEnvFiles(file)).sort()).toEqual(
      [join(dir, 'conf', 'common.env'), join(dir, '.env'), '/etc/velos/api.env'].sort(),
    );
  });

  it('reads YAML and JSON too, and names none for a file without any or one it cannot parse', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'app.yaml'),
      'apps:\n  - name: a\n    script: a.js\n    env_file: .env.production\n',
    );
    expect(await configEnvFiles(join(dir, 'app.yaml'))).toEqual([join(dir, '.env.production')]);
    writeFileSync(join(dir, 'app.json'), JSON.stringify({ apps: [{ name: 'a', script: 'a.js' }] }));
    expect(await configEnvFiles(join(dir, 'app.json'))).toEqual([]);
    writeFileSync(join(dir, 'bad.toml'), '[[apps]\nname = ');
    expect(await configEnvFiles(join(dir, 'bad.toml'))).toEqual([]);
    expect(await configEnvFiles(join(dir, 'missing.toml'))).toEqual([]);
  });
});
