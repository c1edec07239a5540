import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, listState, velos, velosOk, waitFor } from './helpers.js';

// Issue #15 (security): secret-looking env values never print unless asked; inherit_env = false keeps
// the caller's other variables out of the saved state.
const CALLER = {
  AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
  DATABASE_URL: 'postgres://app:db-password@db/app',
  PLAIN_VALUE: 'visible',
};

describe('secrets in output and state', () => {
  let home = '';
  beforeAll(async () => {
    home = createHome();
    writeFileSync(
      join(home, 'apps.toml'),
      `[[apps]]\nname = "inherits"\nscript = "${join(FIXTURES, 'server.js')}"\nargs = ["--token", "arg-secret-value"]\nenv = { GITHUB_TOKEN = "ghp-own-token" }\n\n` +
        `[[apps]]\nname = "isolated"\nscript = "${join(FIXTURES, 'server.js')}"\ninherit_env = false\nenv = { PORT_X = "1" }\n`,
    );
    await velosOk(['start', join(home, 'apps.toml')], { home, env: CALLER });
    await waitFor(async () => (await listState(home)).filter((row) => row.status === 'online').length === 2);
  });
  afterAll(async () => {
    await velos(['kill'], { home });
    await cleanupHomes();
  });

  it('velos env masks secret-looking values (text and --json) unless --show-secrets', async () => {
    const text = (await velosOk(['env', 'inherits'], { home })).stdout;
    expect(text).toContain('AWS_SECRET_ACCESS_KEY: ****');
    expect(text).toContain('GITHUB_TOKEN: ****');
    expect(text).toContain('DATABASE_URL: postgres://app:****@db/app');
    expect(text).toContain('PLAIN_VALUE: visible');
    const json = JSON.parse((await velosOk(['env', 'inherits', '--json'], { home })).stdout);
    expect(json.AWS_SECRET_ACCESS_KEY).toBe('****');
    const shown = (await velosOk(['env', 'inherits', '--show-secrets'], { home })).stdout;
    expect(shown).toContain('AWS_SECRET_ACCESS_KEY: aws-secret-value');
  });

  it('velos env --ai: the process and its variables on one line, masked the same', async () => {
    const out = (await velosOk(['env', 'inherits', '--ai'], { home })).stdout;
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    const ai = JSON.parse(out) as { i: number; n: string; env: Record<string, string> };
    const [row] = (await listState(home)).filter((p) => p.name === 'inherits');
    expect(Object.keys(ai)).toEqual(['i', 'n', 'env']);
    expect(ai).toMatchObject({ i: row!.id, n: 'inherits' });
    expect(ai.env).toEqual(JSON.parse((await velosOk(['env', 'inherits', '--json'], { home })).stdout));
    expect(ai.env).toMatchObject({
      AWS_SECRET_ACCESS_KEY: '****',
      GITHUB_TOKEN: '****',
      DATABASE_URL: 'postgres://app:****@db/app',
      PLAIN_VALUE: 'visible',
      VELOS_NAME: 'inherits',
    });
    const shown = JSON.parse((await velosOk(['env', 'inherits', '--ai', '--show-secrets'], { home })).stdout);
    expect(shown.env.AWS_SECRET_ACCESS_KEY).toBe('aws-secret-value');
  });

  it('jlist, prettylist, config show, describe (text, --json, --ai) and start --dry-run print no secret, of env or args', async () => {
    for (const args of [
      ['jlist'],
      ['prettylist'],
      ['config', 'show', 'inherits'],
      ['config', 'show', 'inherits', '--ai'],
      ['env', 'inherits', '--ai'],
      ['describe', 'inherits'],
      ['describe', 'inherits', '--json'],
      ['describe', 'inherits', '--ai'],
      ['start', join(home, 'apps.toml'), '--dry-run'],
    ]) {
      const out = (await velosOk(args, { home })).stdout;
      expect(out, args.join(' ')).not.toContain('aws-secret-value');
      expect(out, args.join(' ')).not.toContain('ghp-own-token');
      expect(out, args.join(' ')).not.toContain('db-password');
      expect(out, args.join(' ')).not.toContain('arg-secret-value');
    }
    const jlist = JSON.parse((await velosOk(['jlist'], { home })).stdout) as {
      name: string;
      pm2_env: { env: Record<string, string> };
    }[];
    expect(jlist.find((p) => p.name === 'inherits')!.pm2_env.env.PLAIN_VALUE).toBe('visible');
    expect((await velosOk(['jlist', '--show-secrets'], { home })).stdout).toContain('aws-secret-value');
  });

  it('inherit_env = false keeps the caller environment out of the process and state.json', async () => {
    const env = JSON.parse((await velosOk(['env', 'isolated', '--json', '--show-secrets'], { home })).stdout);
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(env.PLAIN_VALUE).toBeUndefined();
    expect(env.PORT_X).toBe('1');
    expect(env.PATH).toBeDefined();
    await velosOk(['save'], { home });
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as {
      apps: { spec: { name: string; env: Record<string, string> } }[];
    };
    const isolated = state.apps.find((app) => app.spec.name === 'isolated')!;
    expect(isolated.spec.env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    // the default keeps it: restoring needs the environment (as PM2 does); the file is 0600
    const inherits = state.apps.find((app) => app.spec.name === 'inherits')!;
    expect(inherits.spec.env.AWS_SECRET_ACCESS_KEY).toBe('aws-secret-value');
  });

  it('restart --update-env keeps an isolated app isolated', async () => {
    await velosOk(['restart', 'isolated', '--update-env'], { home, env: CALLER });
    const env = JSON.parse((await velosOk(['env', 'isolated', '--json', '--show-secrets'], { home })).stdout);
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(env.PORT_X).toBe('1');
  });
});
