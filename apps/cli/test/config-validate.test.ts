import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homePids, killPid, runVelos } from '@velos/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'velos-cli-validate-'));
const home = join(dir, 'home');
// A home with `cache/`, as a home is once a daemon ran: bin/velos.js keeps V8's code cache of the CLI there
// (Node 20), so each validate after the first compiles the CLI from it (~80 ms less CPU a run). It holds
// no socket or pid file: the test that no daemon starts still sees one appear.
mkdirSync(join(home, 'cache'), { recursive: true, mode: 0o700 });
// the scripts the files name: a missing one refuses the file, as velos start refuses it
for (const script of ['a.js', 'b.js', 'db.js', 'web.js']) writeFileSync(join(dir, script), '');

afterAll(() => {
  // validate never starts a daemon; one started by mistake is stopped by the pid it recorded
  for (const pid of homePids(home)) killPid(pid);
  rmSync(dir, { recursive: true, force: true });
});

async function validate(...args: string[]) {
  return runVelos(['config', 'validate', ...args], { home, cwd: dir, env: { NO_COLOR: '1' } });
}

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

describe('velos config validate (CLI-1)', () => {
  it('prints the apps in start order and the dependencies outside the file, without a daemon', async () => {
    const file = write(
      'ok.yaml',
      [
        'apps:',
        '  - name: web',
        '    script: web.js',
        '    depends_on: [db, cache]',
        '  - name: db',
        '    script: db.js',
        'alerts:',
        '  - name: crashes',
        '    when: restarts >= 3 within 5m',
        '',
      ].join('\n'),
    );
    const text = await validate(file);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      'ok.yaml: valid: 2 apps (db, web), 1 alert rule\n  web depends on cache, which this file does not describe: it must run in the daemon\n',
    );
    const json = await validate(file, '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      file: join(dir, 'ok.yaml'),
      valid: true,
      apps: ['db', 'web'],
      alerts: 1,
      external: [{ app: 'web', dependsOn: 'cache' }],
    });
    // no daemon was started: the home holds no socket or pid file
    expect(existsSync(home) ? readdirSync(home).filter((name) => /sock|pid/.test(name)) : []).toEqual([]);
  });

  it('names the app of the file a dependency outside it was likely meant to be, as velos start does', async () => {
    const file = write(
      'typo.toml',
      '[[apps]]\nname = "db"\nscript = "db.js"\n[[apps]]\nname = "web"\nscript = "web.js"\ndepends_on = ["dbb"]\n',
    );
    const text = await validate(file);
    expect(text.stdout).toBe(
      "typo.toml: valid: 2 apps (db, web), 0 alert rules\n  web depends on dbb, which this file does not describe: it must run in the daemon (did you mean 'db'?)\n",
    );
    const json = await validate(file, '--json');
    expect(JSON.parse(json.stdout).external).toEqual([{ app: 'web', dependsOn: 'dbb', meant: 'db' }]);
  });

  it('names the first 10 apps of a large file and counts the others; --json lists every name', async () => {
    const app = (i: number) => `[[apps]]\nname = "a${i}"\nscript = "a.js"\ndepends_on = ["ext${i}"]\n`;
    const file = write('big.toml', Array.from({ length: 1000 }, (_, i) => app(i)).join(''));
    const text = await validate(file);
    expect(text.code).toBe(0);
    const first = Array.from({ length: 10 }, (_, i) => `a${i}`).join(', ');
    const deps = Array.from(
      { length: 10 },
      (_, i) => `  a${i} depends on ext${i}, which this file does not describe: it must run in the daemon`,
    );
    expect(text.stdout).toBe(
      [
        `big.toml: valid: 1000 apps (${first} and 990 more; --json lists them all), 0 alert rules`,
        ...deps,
        '  and 990 more dependencies on apps outside the file (--json lists them all)',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await validate(file, '--json')).stdout) as {
      apps: string[];
      external: unknown[];
    };
    expect(json.apps).toHaveLength(1000);
    expect(json.external).toHaveLength(1000);
    // 20 apps are still listed in full
    const twenty = write(
      'twenty.toml',
      Array.from({ length: 20 }, (_, i) => app(i).replace(/depends_on.*\n/, '')).join(''),
    );
    const names = Array.from({ length: 20 }, (_, i) => `a${i}`).join(', ');
    expect((await validate(twenty)).stdout).toBe(`twenty.toml: valid: 20 apps (${names}), 0 alert rules\n`);
  });

  it('prints every YAML syntax error on a line of its own, with line and column (exit 1)', async () => {
    const file = write(
      'syntax.yaml',
      'apps:\n  - name: a\n    script: a.js\n    script: b.js\n  - name: b\n    env: { A: 1, A: 2 }\n',
    );
    const text = await validate(file);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toBe(
      'velos: syntax.yaml: not valid YAML: Map keys must be unique at line 4, column 5\n' +
        'velos: syntax.yaml: not valid YAML: Map keys must be unique at line 6, column 18\n',
    );
  });

  it('refuses an invalid file, a cycle and a bad alert with one line naming the file (exit 1)', async () => {
    const bad = await validate(
      write('bad.yaml', 'apps:\n  - name: web\n    script: web.js\n    instances: lots\n'),
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^velos: bad\.yaml: apps\[0\]\.instances: expected .* \(line 4\)\n$/);
    const cycle = await validate(
      write(
        'cycle.toml',
        '[[apps]]\nname = "a"\nscript = "a.js"\ndepends_on = ["b"]\n[[apps]]\nname = "b"\nscript = "b.js"\ndepends_on = ["a"]\n',
      ),
    );
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toBe('velos: cycle.toml: depends_on cycle: a -> b -> a\n');
    const alert = await validate(
      write('alert.toml', '[[apps]]\nscript = "a.js"\n[[alerts]]\nname = "x"\nwhen = "sometimes"\n'),
    );
    expect(alert.code).toBe(1);
    expect(alert.stderr).toMatch(
      /^velos: alert\.toml: alerts\[0\]\.when: expected one of .*"sometimes" \(line 5\)\n$/,
    );
  });

  it('refuses a missing script, program and cwd with the line velos start prints; --json lists each app', async () => {
    const file = write(
      'missing.toml',
      [
        '[[apps]]\nname = "fine"\nscript = "a.js"',
        '[[apps]]\nname = "api"\nscript = "missing-api.js"',
        '[[apps]]\nname = "cache"\nscript = "velos-no-such-program"',
        '[[apps]]\nname = "lost"\nscript = "a.js"\ncwd = "no-such-dir"\n',
      ].join('\n'),
    );
    const problems = [
      `api: script not found: ${join(dir, 'missing-api.js')}`,
      `cache: script not found: velos-no-such-program (not a file in ${dir}, or a program on the app's PATH)`,
      `lost: cwd not found: ${join(dir, 'no-such-dir')}`,
    ];
    const text = await validate(file);
    expect(text).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `velos: missing.toml: 3 apps cannot start: ${problems.join('; ')}\n`,
    });
    const dryRun = await runVelos(['start', file, '--dry-run'], { home, cwd: dir, env: { NO_COLOR: '1' } });
    expect([dryRun.code, dryRun.stderr]).toEqual([1, text.stderr]);
    const json = await validate(file, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      valid: false,
      code: 'INVALID_CONFIG',
      file: join(dir, 'missing.toml'),
      issues: problems.map((problem, i) => ({
        message: `missing.toml: ${problem}`,
        keyPath: ['apps', i + 1],
      })),
    });
  });

  it('refuses an increment_var whose variable is no whole number in the env, as velos start refuses it', async () => {
    const file = write(
      'increment.toml',
      [
        '[[apps]]\nname = "fine"\nscript = "a.js"\ninstances = 2\nincrement_var = "VELOS_TEST_BASE"\nenv = { VELOS_TEST_BASE = "3000" }',
        '[[apps]]\nname = "none"\nscript = "a.js"\ninstances = 2\nincrement_var = "VELOS_TEST_BASE"',
        '[[apps]]\nname = "word"\nscript = "a.js"\nincrement_var = "VELOS_TEST_BASE"\nenv = { VELOS_TEST_BASE = "abc" }\n',
      ].join('\n'),
    );
    const problem = (name: string, got: string) =>
      `increment.toml: ${name}: increment_var VELOS_TEST_BASE: expected VELOS_TEST_BASE in the app's env to be a whole number, got ${got}`;
    // the defect: valid, exit 0, where velos start of the file is refused
    const text = await validate(file);
    expect(text).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `velos: ${problem('none', 'nothing')}\nvelos: ${problem('word', '"abc"')}\n`,
    });
    const json = await validate(file, '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      valid: false,
      code: 'INVALID_CONFIG',
      file: join(dir, 'increment.toml'),
      issues: [
        { message: problem('none', 'nothing'), keyPath: ['apps', 1, 'increment_var'] },
        { message: problem('word', '"abc"'), keyPath: ['apps', 2, 'increment_var'] },
      ],
    });
  });

  it("refuses a metrics_url {port} without increment_var and a pid_file that is a folder, in the start's words", async () => {
    const file = write(
      'refused.toml',
      [
        '[[apps]]\nname = "scraped"\nscript = "a.js"\nmetrics_url = "http://127.0.0.1:{port}/metrics"',
        `[[apps]]\nname = "pidded"\nscript = "a.js"\npid_file = "${dir}"\n`,
      ].join('\n'),
    );
    const metrics =
      'refused.toml: scraped: metrics_url: {port} is the instance\'s increment_var port; set increment_var (e.g. increment_var = "PORT" with PORT in env), or use {instance}';
    const pid = `refused.toml: pidded cannot start: pid_file ${dir} is a directory, not a regular file (name another path, or leave pid_file out for none)`;
    // the defect: valid, exit 0, where velos start of the file is refused
    expect(await validate(file)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `velos: ${metrics}\nvelos: ${pid}\n`,
    });
    expect(JSON.parse((await validate(file, '--json')).stdout).issues).toEqual([
      { message: metrics, keyPath: ['apps', 0, 'metrics_url'] },
      { message: pid, keyPath: ['apps', 1, 'pid_file'] },
    ]);
  });

  it('merges an env profile, and refuses a profile no app has', async () => {
    const file = write(
      'profiles.toml',
      '[[apps]]\nname = "api"\nscript = "a.js"\n[apps.env_production]\nPORT = "80"\n',
    );
    expect((await validate(file, '--env', 'production')).code).toBe(0);
    const missing = await validate(file, '--env', 'staging');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no app has an env_staging table');
  });

  it('checks $VELOS_HOME/config.toml without a file; a missing file is a usage error (exit 2)', async () => {
    expect((await validate()).code).toBe(2);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'config.toml'), '[defaults]\nmax_memory = "lots"\n');
    const bad = await validate();
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^velos: config\.toml: defaults\.max_memory: .* \(line 2\)\n$/);
    writeFileSync(join(home, 'config.toml'), '[defaults]\nmax_memory = "200M"\n');
    expect(await validate()).toMatchObject({ code: 0, stdout: 'config.toml: valid (0 alert rules)\n' });
    const missing = await validate('nope.yaml');
    expect(missing).toMatchObject({ code: 2, stderr: 'velos: nope.yaml: no such file\n' });
  });

  it('bounds the run of a process file that loops for ever; what a file prints goes to stderr, not into --json', async () => {
    const loop = write('loop.config.js', 'while (true) {}\n');
    const hung = await runVelos(['config', 'validate', loop], {
      home,
      cwd: dir,
      env: { NO_COLOR: '1', VELOS_CONFIG_EVAL_TIMEOUT_MS: '300' },
    });
    expect(hung).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `velos: loop.config.js: did not finish evaluating within 0.3 s (a loop that never ends at its top level?); nothing was started (VELOS_CONFIG_EVAL_TIMEOUT_MS sets the bound)\n`,
    });
    const chatty = write(
      'chatty.config.js',
      "console.log('loading apps');\nmodule.exports = { apps: [{ name: 'chatty', script: 'chatty.js' }] };\n",
    );
    write('chatty.js', '');
    const json = await validate(chatty, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ apps: ['chatty'] });
    expect(json.stderr).toBe('loading apps\n');
  });

  it('refuses a process file whose top-level await never settles (Node alone would exit 0, silent)', async () => {
    const file = write('hang.config.mjs', 'await new Promise(() => {});\nexport default { apps: [] };\n');
    const hung = await validate(file);
    expect(hung.stdout).toBe('');
    expect(hung.stderr).toBe(
      'velos: hang.config.mjs: never finished loading: a top-level await waits for a promise that nothing is left to settle (no timer, I/O or callback pending), so it exports no apps\n',
    );
    expect(hung.code).toBe(1);
  });
});
