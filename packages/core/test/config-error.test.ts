import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CONFIG_ISSUES } from '../src/config-error.js';
import { loadConfigFile } from '../src/config-loader.js';
import type { VelosError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-config-issues-'));
const ctx = { baseEnv: { PATH: '/usr/bin' }, cpuCount: 4 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Listed {
  message: string;
  keyPath: PropertyKey[];
  line?: number;
}

async function refusal(name: string, text: string): Promise<{ error: VelosError; issues: Listed[] }> {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadConfigFile(file, ctx).then(
    () => {
      throw new Error(`${name} was accepted`);
    },
    (error: VelosError) => ({ error, issues: (error.data as { issues: Listed[] }).issues }),
  );
}

describe('a config error lists every problem of the file (CFG-1)', () => {
  it('reports bad instances, a negative max_restarts and an unknown key, each with its path and line', async () => {
    const { error, issues } = await refusal(
      'three.toml',
      '[[apps]]\nname = "web"\nscript = "web.js"\ninstances = 1.5\nmax_restarts = -1\nnme = "x"\n',
    );
    expect(error.code).toBe('INVALID_CONFIG');
    // the first line is the one a single problem gives
    expect(error.message).toMatch(/^three\.toml: apps\[0\]\.instances: expected .* got 1\.5 \(line 4\)$/);
    expect(error.message).not.toContain('\n');
    expect(issues.map((i) => [i.keyPath.join('.'), i.line])).toEqual([
      ['apps.0.instances', 4],
      ['apps.0.max_restarts', 5],
      ['apps.0.nme', 6],
    ]);
    expect(issues[0]!.message).toBe(error.message);
    expect(issues[1]!.message).toMatch(
      /^three\.toml: apps\[0\]\.max_restarts: expected .*, got -1 \(line 5\)$/,
    );
    expect(issues[2]!.message).toBe(
      'three.toml: apps[0]: unknown option "nme" (did you mean "name"?) (line 6)',
    );
  });

  it('lists the problems of every app, and of the apps after a schema-valid one', async () => {
    const { issues } = await refusal(
      'apps.yaml',
      'apps:\n  - name: a\n    script: a.js\n    autorestart: "yes"\n  - name: b\n    script: b.js\n    kill_signal: SIGFOO\n',
    );
    expect(issues.map((i) => [i.keyPath.join('.'), i.line])).toEqual([
      ['apps.0.autorestart', 4],
      ['apps.1.kill_signal', 7],
    ]);
  });

  it('lists the app-level problems (after the schema) of every app', async () => {
    const { error, issues } = await refusal(
      'jobs.toml',
      '[[apps]]\nname = "j1"\nscript = "j.js"\ntype = "job"\nexec_mode = "cluster"\n\n[[apps]]\nname = "j2"\nscript = "j.js"\ntype = "job"\nschedule = "* * * * *"\ninterval = "1m"\n',
    );
    expect(error.message).toMatch(/^jobs\.toml: apps\[0\] \(j1\)\.exec_mode: .*\(line 5\)$/);
    expect(issues.map((i) => i.keyPath.join('.'))).toEqual(['apps.0.exec_mode', 'apps.1.interval']);
  });

  it('lists bad cron expressions (cron_restart, schedule, log_rotate_cron) with the schema problems', async () => {
    const { error, issues } = await refusal(
      'crons.toml',
      '[[apps]]\nname = "a"\nscript = "a.js"\ncron_restart = "61 * * * *"\nautorestart = "yes"\n\n[[apps]]\nname = "j"\nscript = "j.js"\ntype = "job"\nschedule = "every day"\nlog_rotate_cron = "0 0 * * *"\n\n[[apps]]\nname = "c"\nscript = "c.js"\nlog_rotate_cron = "nope"\n',
    );
    expect(error.message).toMatch(/^crons\.toml: apps\[0\]\.autorestart: .*\(line 5\)$/);
    expect(issues.map((i) => [i.keyPath.join('.'), i.line])).toEqual([
      ['apps.0.autorestart', 5],
      ['apps.0.cron_restart', 4],
      ['apps.1.schedule', 11],
      ['apps.2.log_rotate_cron', 17],
    ]);
    expect(issues[1]!.message).toMatch(
      /^crons\.toml: apps\[0\] \(a\)\.cron_restart: expected a cron expression like "0 3 \* \* \*", got "61 \* \* \* \*" \(.+\) \(line 4\)$/,
    );
  });

  it('lists bad cron expressions with the app-level problems of a schema-valid file', async () => {
    const { issues } = await refusal(
      'crons2.toml',
      '[[apps]]\nname = "a"\nscript = "a.js"\ncron_restart = "x"\n\n[[apps]]\nname = "b"\nscript = "b.js"\ncron_restart = "y"\n\n[[apps]]\nname = "j"\nscript = "j.js"\ntype = "job"\nexec_mode = "cluster"\n',
    );
    expect(issues.map((i) => i.keyPath.join('.'))).toEqual([
      'apps.2.exec_mode',
      'apps.0.cron_restart',
      'apps.1.cron_restart',
    ]);
  });

  it('lists the payload-limit breaches of every app with the other problems', async () => {
    const long = 'x'.repeat(128 * 1024 + 1);
    const { error, issues } = await refusal(
      'limits.json',
      JSON.stringify({
        apps: [
          { name: 'a', script: 'a.js', env: { BIG: long } },
          { name: 'b', script: 'b.js', max_restarts: -1 },
          { name: 'c', script: 'c.js', args: Array.from({ length: 4097 }, () => 'x') },
        ],
      }),
    );
    expect(error.message).toMatch(/^limits\.json: apps\[0\]\.env\.BIG: a string of 131073 characters/);
    expect(issues.map((i) => i.keyPath.join('.'))).toEqual([
      'apps.0.env.BIG',
      'apps.2.args',
      'apps.1.max_restarts',
    ]);
  });

  it('keeps a misspelt required key as one problem (the suggestion), not two', async () => {
    const { error, issues } = await refusal('typo.toml', '[[apps]]\nscrpit = "a.js"\nmax_restarts = -2\n');
    expect(error.message).toBe(
      'typo.toml: apps[0]: unknown option "scrpit" (did you mean "script"?) (line 2)',
    );
    expect(issues.map((i) => i.keyPath.join('.'))).toEqual(['apps.0.scrpit', 'apps.0.max_restarts']);
  });

  it(`lists at most ${MAX_CONFIG_ISSUES} problems and counts the others`, async () => {
    const keys = Array.from({ length: 14 }, (_, i) => `bad_key_${i} = 1`).join('\n');
    const { error, issues } = await refusal('many.toml', `[[apps]]\nscript = "a.js"\n${keys}\n`);
    expect(issues).toHaveLength(MAX_CONFIG_ISSUES);
    expect((error.data as { more?: number }).more).toBe(4);
    expect(issues.map((i) => i.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // the first line keeps every unknown key of the table, as it did, within the one-line contract
    expect(error.message.length).toBeLessThanOrEqual(800);
  });
});
