import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homePids, killPid, runVelos } from '@velos/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'velos-cli-validate-issues-'));
const home = join(dir, 'home');

afterAll(() => {
  for (const pid of homePids(home)) killPid(pid);
  rmSync(dir, { recursive: true, force: true });
});

async function validate(...args: string[]) {
  return runVelos(['config', 'validate', ...args], { home, cwd: dir, env: { NO_COLOR: '1' } });
}

describe('velos config validate prints every problem (CFG-1)', () => {
  it('prints one line per problem, the first as velos start prints it, and exits 1', async () => {
    writeFileSync(
      join(dir, 'three.toml'),
      '[[apps]]\nname = "web"\nscript = "web.js"\ninstances = 1.5\nmax_restarts = -1\nnme = "x"\n',
    );
    const text = await validate('three.toml');
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    const lines = text.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^velos: three\.toml: apps\[0\]\.instances: expected .* got 1\.5 \(line 4\)$/);
    expect(lines[1]).toMatch(/^velos: three\.toml: apps\[0\]\.max_restarts: expected .* got -1 \(line 5\)$/);
    expect(lines[2]).toBe('velos: three.toml: apps[0]: unknown option "nme" (did you mean "name"?) (line 6)');
    const json = await validate('three.toml', '--json');
    expect(json.code).toBe(1);
    const refusal = JSON.parse(json.stdout);
    expect(refusal).toMatchObject({ valid: false, code: 'INVALID_CONFIG', file: join(dir, 'three.toml') });
    expect(refusal.issues.map((issue: { line: number }) => issue.line)).toEqual([4, 5, 6]);
  });

  // it printed the line naming both keys, then the second key again on a line of its own
  it('names the unknown keys of one table once, on the line velos start prints; --json lists each with its line', async () => {
    writeFileSync(
      join(dir, 'keys.toml'),
      '[[apps]]\nname = "api"\nscript = "a.js"\nbogus = 1\n\n[apps.readiness_probe]\nhttp = "http://127.0.0.1:3000/"\nodd = 3\nwat = 4\n',
    );
    const lines = (await validate('keys.toml')).stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      'velos: keys.toml: apps[0].readiness_probe: unknown options "odd", "wat" (line 8)',
      'velos: keys.toml: apps[0]: unknown option "bogus" (line 4)',
    ]);
    const refusal = JSON.parse((await validate('keys.toml', '--json')).stdout);
    expect(refusal.issues.map((issue: { message: string }) => issue.message)).toEqual([
      'keys.toml: apps[0].readiness_probe: unknown option "odd" (line 8)',
      'keys.toml: apps[0].readiness_probe: unknown option "wat" (line 9)',
      'keys.toml: apps[0]: unknown option "bogus" (line 4)',
    ]);
  });

  it('counts the problems past the tenth on a last line', async () => {
    const keys = Array.from(
      { length: 12 },
      (_, i) => `[[apps]]\nscript = "a.js"\nmax_restarts = -${i + 1}\n`,
    );
    writeFileSync(join(dir, 'many.toml'), keys.join('\n'));
    const text = await validate('many.toml');
    expect(text.code).toBe(1);
    const lines = text.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[9]).toMatch(/^velos: many\.toml: apps\[9\]\.max_restarts: .* \(line 3\d\)$/);
    expect(lines[10]).toBe('velos: many.toml: and 2 more problems');
  });

  it('lists the problems of $VELOS_HOME/config.toml too', async () => {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'config.toml'), '[defaults]\nmax_memory = "lots"\nkill_timeout = "soon"\n');
    const lines = (await validate()).stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      // in the schema's order of keys, as the first one is chosen
      expect.stringMatching(/^velos: config\.toml: defaults\.kill_timeout: .* \(line 3\)$/),
      expect.stringMatching(/^velos: config\.toml: defaults\.max_memory: .* \(line 2\)$/),
    ]);
  });

  // it said "valid" and no more, where the daemon warns that the table is not used
  it('warns of a table of config.toml this version does not use, and calls the file valid', async () => {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'config.toml'), '[otel]\nendpoint = "http://127.0.0.1:4318"\n');
    const result = await validate();
    expect(result).toMatchObject({ code: 0, stdout: 'config.toml: valid (0 alert rules)\n' });
    expect(result.stderr).toBe(
      'velos: warning: config.toml: unknown section [otel] (did you mean [metrics.otlp]?): kept, not used by this version\n',
    );
  });
});
