import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';
import { parseEnvFile } from '../src/env-file.js';
import { isVelosError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-core-env-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines as systemd and docker do: comments, export, quotes, spaces', () => {
    const text = [
      '# database',
      '; also a comment',
      '',
      'DB_URL=postgres://db/app?sslmode=require',
      'export TOKEN = abc=def ',
      'GREETING="hello \\"world\\"\\nbye"',
      "RAW='$HOME \\n kept'",
      'EMPTY=',
    ].join('\r\n');
    expect(parseEnvFile(text)).toEqual({
      ok: true,
      env: {
        DB_URL: 'postgres://db/app?sslmode=require',
        TOKEN: 'abc=def',
        GREETING: 'hello "world"\nbye',
        RAW: '$HOME \\n kept',
        EMPTY: '',
      },
    });
  });

  it('names the first line it cannot read', () => {
    expect(parseEnvFile('A=1\nnot a pair\n')).toEqual({
      ok: false,
      line: 2,
      why: 'expected KEY=VALUE with KEY a variable name, got "not a pair"',
    });
    expect(parseEnvFile('A="open\n')).toEqual({
      ok: false,
      line: 1,
      why: 'unterminated quote in the value of A',
    });
  });
});

describe('env_file in a config file', () => {
  it('merges the files in order over the inherited environment and under the app env and its profile', async () => {
    writeFileSync(join(dir, 'base.env'), 'SHARED=base\nFROM_BASE=1\nPATH=/opt/bin\n');
    writeFileSync(join(dir, 'local.env'), 'SHARED=local\nOWN=file\nPROFILED=file\n');
    const config = join(dir, 'app.yaml');
    writeFileSync(
      config,
      'apps:\n  - name: api\n    script: server.js\n    env_file: [base.env, ./local.env]\n    env: { OWN: app }\n    env_production: { PROFILED: profile }\n',
    );
    const [spec] = await loadConfigFile(config, {
      baseEnv: { PATH: '/usr/bin', SHARED: 'shell' },
      cpuCount: 1,
      envProfile: 'production',
    });
    expect(spec!.env).toMatchObject({
      PATH: '/opt/bin',
      SHARED: 'local',
      FROM_BASE: '1',
      OWN: 'app',
      PROFILED: 'profile',
    });
    // the file's variables are the app's own: `--update-env` replaces only what was inherited
    expect(spec!.ownEnv).toMatchObject({ SHARED: 'local', FROM_BASE: '1', OWN: 'app' });
  });

  it('refuses a missing file or a bad line, naming the config, the app, the env file and the line', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'apps:\n  - name: api\n    script: server.js\n    env_file: missing.env\n');
    const error = await loadConfigFile(config, { baseEnv: {}, cpuCount: 1 }).catch((e: unknown) => e);
    expect(isVelosError(error) && error.message).toMatch(
      `bad.yaml: apps[0] (api).env_file: cannot read ${join(dir, 'missing.env')} (ENOENT)`,
    );
    writeFileSync(join(dir, 'broken.env'), 'A=1\nB\n');
    writeFileSync(config, 'apps:\n  - name: api\n    script: server.js\n    env_file: broken.env\n');
    const broken = await loadConfigFile(config, { baseEnv: {}, cpuCount: 1 }).catch((e: unknown) => e);
    expect(isVelosError(broken) && broken.message).toMatch(
      `bad.yaml: apps[0] (api).env_file: ${join(dir, 'broken.env')} line 2: expected KEY=VALUE`,
    );
  });

  it('refuses an env file that is not UTF-8 (its value would reach the app changed) and skips a BOM', async () => {
    const config = join(dir, 'latin1.yaml');
    writeFileSync(join(dir, 'latin1.env'), Buffer.from('A=1\nCITY=Orl\xE9ans\n', 'latin1'));
    writeFileSync(config, 'apps:\n  - name: api\n    script: server.js\n    env_file: latin1.env\n');
    const error = await loadConfigFile(config, { baseEnv: {}, cpuCount: 1 }).catch((e: unknown) => e);
    expect(isVelosError(error) && error.message).toBe(
      `latin1.yaml: apps[0] (api).env_file: ${join(dir, 'latin1.env')} line 2: not UTF-8 text: byte 0xe9 (column 9); save the file as UTF-8 (line 4)`,
    );
    // Notepad's byte order mark is no part of the first key (it was: "expected KEY=VALUE")
    writeFileSync(join(dir, 'bom.env'), '\uFEFFCITY=Orléans\r\n');
    writeFileSync(config, 'apps:\n  - name: api\n    script: server.js\n    env_file: bom.env\n');
    const [spec] = await loadConfigFile(config, { baseEnv: {}, cpuCount: 1 });
    expect(spec?.env).toEqual({ CITY: 'Orléans' });
  });

  it('keeps the error to one short line for a path too long to open (ENAMETOOLONG)', async () => {
    const config = join(dir, 'long.yaml');
    writeFileSync(
      config,
      `apps:\n  - name: api\n    script: server.js\n    env_file: ${'x'.repeat(700)}.env\n`,
    );
    const error = await loadConfigFile(config, { baseEnv: {}, cpuCount: 1 }).catch((e: unknown) => e);
    const message = isVelosError(error) ? error.message : '';
    expect(message).toMatch(
      /^long\.yaml: apps\[0\] \(api\)\.env_file: cannot read .*x\.\.\.x+\.env \(ENAMETOOLONG\)/,
    );
    expect(message.length).toBeLessThan(300);
  });

  it('refuses an env file that is not a regular file (a device or FIFO would block the reader)', async () => {
    const config = join(dir, 'device.yaml');
    writeFileSync(config, 'apps:\n  - name: api\n    script: server.js\n    env_file: [/dev/zero]\n');
    const error = await loadConfigFile(config, { baseEnv: {}, cpuCount: 1 }).catch((e: unknown) => e);
    expect(isVelosError(error) && error.message).toMatch(
      'device.yaml: apps[0] (api).env_file: /dev/zero is not a regular file',
    );
  });
});
