import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_DEFAULTS, isVelosError } from '@velos/core';
import * as config from '@velos/core/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandInput } from '../src/command-spec.js';
import { findCommand } from '../src/command-table.js';
import {
  checkCronFlags,
  findOnPath,
  hasAppOptions,
  notFound,
  resolveStartTarget,
  type StartEnvironment,
  specsFromConfigFile,
  specsFromFlags,
} from '../src/commands/start-spec.js';
import { parseCommandArgs } from '../src/parse-argv.js';

let dir = '';
let where: StartEnvironment;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'velos-start-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'app.js'), 'setInterval(() => {}, 1000);\n');
  writeFileSync(join(dir, 'sub', 'inner.js'), '');
  writeFileSync(join(dir, 'velos.toml'), '[[apps]]\nname = "a"\nscript = "app.js"\ninstances = "lots"\n');
  writeFileSync(join(dir, 'good.yaml'), 'apps:\n  - name: web\n    script: app.js\n    instances: max\n');
  where = { cwd: dir, env: { PATH: process.env.PATH, FROM_SHELL: 'yes' }, cpuCount: 3 };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(options: CommandInput['options'] = {}, rest: string[] = []): CommandInput {
  return { options, args: [], rest };
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isVelosError(error)) return error.message;
    throw error;
  }
  throw new Error('expected an error');
}

async function asyncFailure(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isVelosError(error)) return error.message;
    throw error;
  }
  throw new Error('expected an error');
}

describe('resolveStartTarget', () => {
  it('tells config files, existing scripts, command lines and bare words apart', () => {
    expect(resolveStartTarget('velos.toml', input(), where, config)).toEqual({
      kind: 'config',
      path: join(dir, 'velos.toml'),
    });
    expect(resolveStartTarget('./app.js', input(), where, config)).toEqual({
      kind: 'script',
      script: join(dir, 'app.js'),
    });
    expect(resolveStartTarget('inner.js', input({ cwd: 'sub' }), where, config)).toEqual({
      kind: 'script',
      script: join(dir, 'sub', 'inner.js'),
    });
    expect(resolveStartTarget('python3 -m http.server', input(), where, config)).toEqual({
      kind: 'script',
      script: 'python3 -m http.server',
    });
    expect(resolveStartTarget('api', input(), where, config)).toEqual({ kind: 'word', word: 'api' });
  });

  it('fails clearly for a missing script that looks like a path, a directory, or a PM2 ecosystem file', () => {
    expect(failure(() => resolveStartTarget('./x.js', input(), where, config))).toBe(
      'script not found: ./x.js',
    );
    expect(failure(() => resolveStartTarget('worker.py', input(), where, config))).toBe(
      'script not found: worker.py',
    );
    expect(failure(() => resolveStartTarget('sub', input(), where, config))).toBe(
      'script is a directory: sub',
    );
    // a file of the directory one or two edits away is named, written as the word was
    expect(failure(() => resolveStartTarget('ap.js', input(), where, config))).toBe(
      'script not found: ap.js (did you mean app.js?)',
    );
    expect(failure(() => resolveStartTarget('./sub/iner.js', input(), where, config))).toBe(
      'script not found: ./sub/iner.js (did you mean ./sub/inner.js?)',
    );
    expect(notFound('velos.tml', dir).message).toBe(
      'script not found: velos.tml (not a file, a known process or a program on PATH; did you mean velos.toml?)',
    );
    expect(notFound('nothing-near', dir).message).toBe(
      'script not found: nothing-near (not a file, a known process or a program on PATH)',
    );
    // the script is looked for in --cwd too: a --cwd that is not there is what to report, not the script
    expect(failure(() => resolveStartTarget('app.py', input({ cwd: 'nowhere' }), where, config))).toBe(
      '--cwd: not a directory: nowhere',
    );
    // issue #14: a PM2 ecosystem file is a config file (a missing one fails when it is loaded)
    expect(resolveStartTarget('ecosystem.config.js', input(), where, config)).toEqual({
      kind: 'config',
      path: join(dir, 'ecosystem.config.js'),
    });
  });
});

describe('specsFromFlags', () => {
  it('turns flags and -- args into a complete AppSpec that inherits the shell environment', () => {
    const [spec] = specsFromFlags(
      join(dir, 'app.js'),
      input(
        {
          name: 'api',
          instances: 'max',
          'restart-delay': '2s',
          'max-restarts': '3',
          'min-uptime': '500ms',
          'exp-backoff-restart-delay': '100',
          'kill-timeout': '1s',
          'stop-exit-codes': '0, 3',
          'no-autorestart': true,
          cwd: 'sub',
          interpreter: 'node',
          'interpreter-args': '--max-old-space-size=64 --no-warnings',
          namespace: 'web',
          'log-format': 'json',
          time: true,
          'merge-streams': true,
          output: 'logs/out.log',
          error: '/var/tmp/err.log',
        },
        ['--port', '3000'],
      ),
      where,
      config,
    );
    expect(spec).toEqual({
      ...APP_DEFAULTS,
      name: 'api',
      script: join(dir, 'app.js'),
      args: ['--port', '3000'],
      cwd: join(dir, 'sub'),
      env: { PATH: process.env.PATH, FROM_SHELL: 'yes' },
      ownEnv: {},
      interpreter: 'node',
      interpreterArgs: ['--max-old-space-size=64', '--no-warnings'],
      instances: 3,
      execMode: 'cluster', // -i means cluster mode unless --exec-mode says otherwise
      namespace: 'web',
      autorestart: false,
      maxRestarts: 3,
      minUptimeMs: 500,
      restartDelayMs: 2000,
      expBackoffRestartDelayMs: 100,
      stopExitCodes: [0, 3],
      killTimeoutMs: 1000,
      logFormat: 'json',
      logDateFormat: 'iso',
      mergeLogs: true,
      outFile: join(dir, 'logs', 'out.log'),
      errFile: '/var/tmp/err.log',
    });
  });

  it('derives the name from the script and applies every default', () => {
    const [spec] = specsFromFlags(join(dir, 'app.js'), input(), where, config);
    expect(spec).toMatchObject({ ...APP_DEFAULTS, name: 'app', args: [], cwd: dir });
  });

  it('refuses a bare number for --every and --timeout (a file reads it as ms: a job every 30 ms)', () => {
    const app = join(dir, 'app.js');
    expect(failure(() => specsFromFlags(app, input({ every: '30' }), where, config))).toBe(
      '--every: expected a duration with its unit like "30s", "30m" or "1h" (a bare number is ambiguous), got "30"',
    );
    expect(failure(() => specsFromFlags(app, input({ timeout: '5' }), where, config))).toBe(
      '--timeout: expected a duration with its unit like "30s", "30m" or "1h" (a bare number is ambiguous), got "5"',
    );
    const [spec] = specsFromFlags(app, input({ every: '30s', timeout: '1500ms' }), where, config);
    expect([spec?.intervalMs, spec?.jobTimeoutMs]).toEqual([30_000, 1500]);
  });

  it('runs a job --every 5ms as asked, warning that it runs back to back (5m was most likely meant)', () => {
    const app = join(dir, 'app.js');
    const warnings: string[] = [];
    const warned = { ...where, warn: (message: string) => warnings.push(message) };
    expect(specsFromFlags(app, input({ every: '5ms' }), warned, config)[0]?.intervalMs).toBe(5);
    expect(specsFromFlags(app, input({ every: '0.5s' }), warned, config)[0]?.intervalMs).toBe(500);
    specsFromFlags(app, input({ every: '1s' }), warned, config);
    expect(warnings).toEqual([
      '--every 5ms: a job this frequent runs back to back, a new process each time (5m is 5 minutes)',
      '--every 0.5s: a job this frequent runs back to back, a new process each time',
    ]);
  });

  it('names the flag and what was expected when a value is wrong', () => {
    const app = join(dir, 'app.js');
    expect(failure(() => specsFromFlags(app, input({ instances: 'lots' }), where, config))).toBe(
      '--instances: expected a whole number, "max", 0 (one per CPU) or -n (CPUs minus n), got "lots"',
    );
    expect(failure(() => specsFromFlags(app, input({ instances: '1.5' }), where, config))).toBe(
      '--instances: expected a whole number, "max", 0 (one per CPU) or -n (CPUs minus n), got "1.5"',
    );
    expect(failure(() => specsFromFlags(app, input({ 'restart-delay': 'soon' }), where, config))).toBe(
      '--restart-delay: expected a duration like 1500, "500ms", "5s" or "2m", got "soon"',
    );
    expect(failure(() => specsFromFlags(app, input({ 'max-restarts': '-2' }), where, config))).toBe(
      '--max-restarts: expected a whole number, 0 or more, got -2',
    );
    expect(failure(() => specsFromFlags(app, input({ 'stop-exit-codes': '0,x' }), where, config))).toBe(
      '--stop-exit-codes: expected exit codes like 0,3, got "x"',
    );
    // PM2's spelling of a flag is named as typed, not as Velos's own flag of the same option
    expect(failure(() => specsFromFlags(app, input({ 'max-memory-restart': '10' }), where, config))).toMatch(
      /^--max-memory-restart: expected a size like "200M"/,
    );
    expect(failure(() => specsFromFlags(app, input({ 'max-memory': '10' }), where, config))).toMatch(
      /^--max-memory: expected a size like "200M"/,
    );
    expect(failure(() => specsFromFlags(app, input({ name: 'all' }), where, config))).toBe(
      '--name: must not be "all" or a number (they are targets), got "all"',
    );
    expect(failure(() => specsFromFlags(app, input({ cwd: 'nowhere' }), where, config))).toBe(
      '--cwd: not a directory: nowhere',
    );
    // issue #19: --every makes a job, which cron_restart cannot restart; so is a duration past 365 days refused
    expect(
      failure(() => specsFromFlags(app, input({ every: '1h', 'cron-restart': '0 3 * * *' }), where, config)),
    ).toMatch(/cron_restart restarts a running service; .*use schedule instead/);
    expect(failure(() => specsFromFlags(app, input({ every: '400d' }), where, config))).toBe(
      '--every: expected a duration of at most 365d, got "400d"',
    );
    expect(specsFromFlags(app, input({ every: '30d', timeout: '30d' }), where, config)[0]).toMatchObject({
      type: 'job',
      intervalMs: 30 * 86_400_000,
      jobTimeoutMs: 30 * 86_400_000,
    });
  });

  it('gives the one-instance rule of a job first, with or without cluster mode (-i)', () => {
    for (const options of [
      { type: 'job', instances: '2' },
      { type: 'job', instances: '2', 'exec-mode': 'fork' },
      { every: '1h', instances: '2', 'exec-mode': 'cluster' },
    ]) {
      expect(
        failure(() => specsFromFlags('sleep 100', input({ name: 'js', ...options }), where, config)),
      ).toBe('--instances: a job runs one instance, never several at once: expected 1, got 2');
    }
  });

  it('refuses a cron flag that never fires, --schedule as well as --cron-restart', async () => {
    for (const [flag, value] of [
      ['schedule', '0 0 30 2 *'],
      ['cron-restart', '0 0 31 4 *'],
    ]) {
      expect(await asyncFailure(() => checkCronFlags(input({ [flag!]: value }), config))).toBe(
        `--${flag}: expected a cron expression like "0 3 * * *", got "${value}" (it never fires: no date from now on matches it)`,
      );
    }
    expect(await asyncFailure(() => checkCronFlags(input({ schedule: 'every day' }), config))).toMatch(
      /^--schedule: expected a cron expression like "0 3 \* \* \*", got "every day" \(CronPattern: /,
    );
    await expect(checkCronFlags(input({ schedule: '* * * * * * *' }), config)).resolves.toBeUndefined();
  });
});

describe('flags named as typed', () => {
  const typed = (...argv: string[]) => parseCommandArgs(findCommand('start')!, ['app.js', ...argv]);

  it("takes PM2's --cron-restart 0 (--cron 0, -c 0) as no cron restart, as PM2 documents it", async () => {
    const app = join(dir, 'app.js');
    for (const argv of [
      ['--cron-restart', '0'],
      ['--cron', '0'],
      ['-c', '0'],
    ]) {
      await expect(checkCronFlags(typed(...argv), config)).resolves.toBeUndefined();
      expect(specsFromFlags(app, typed(...argv), where, config).map((spec) => spec.cronRestart)).toEqual([
        undefined,
      ]);
    }
    expect(await asyncFailure(() => checkCronFlags(typed('--log-rotate-cron', '0'), config))).toMatch(
      /^--log-rotate-cron: expected a cron expression/,
    );
  });

  it('names a short flag as typed, not as its long name (-c bad said --cron)', async () => {
    expect(await asyncFailure(() => checkCronFlags(typed('-c', 'bad'), config))).toMatch(
      /^-c: expected a cron expression like "0 3 \* \* \*", got "bad" \(/,
    );
    expect(await asyncFailure(() => checkCronFlags(typed('--cron', 'bad'), config))).toMatch(/^--cron: /);
    expect(await asyncFailure(() => checkCronFlags(typed('--cron-restart', 'bad'), config))).toMatch(
      /^--cron-restart: /,
    );
    const app = join(dir, 'app.js');
    expect(failure(() => specsFromFlags(app, typed('-i', 'lots'), where, config))).toMatch(
      /^-i: expected a whole number/,
    );
    expect(failure(() => specsFromFlags(app, typed('-k', 'soon'), where, config))).toMatch(
      /^-k: expected a duration/,
    );
    expect(failure(() => specsFromFlags(app, typed('-n', 'all'), where, config))).toMatch(/^-n: must not be/);
    expect(failure(() => specsFromFlags(app, typed('--kill-timeout', 'soon'), where, config))).toMatch(
      /^--kill-timeout: expected a duration/,
    );
  });
});

describe('specsFromConfigFile', () => {
  it('loads every app of a config file with the shell environment and CPU count', async () => {
    const specs = await specsFromConfigFile(join(dir, 'good.yaml'), input(), where, config);
    expect(specs).toHaveLength(1);
    expect(specs[0]).toMatchObject({
      name: 'web',
      script: 'app.js',
      cwd: dir,
      instances: 3,
      env: { FROM_SHELL: 'yes' },
    });
  });

  it('reports the file, the path and what was expected', async () => {
    expect(
      await asyncFailure(() => specsFromConfigFile(join(dir, 'velos.toml'), input(), where, config)),
    ).toBe(
      'velos.toml: apps[0].instances: expected a whole number, "max", 0 (one per CPU) or -n (CPUs minus n), got "lots" (line 4)',
    );
  });

  it('applies an env profile chosen with --env, and refuses --env without a config file', async () => {
    writeFileSync(
      join(dir, 'profiles.yaml'),
      'apps:\n  - name: web\n    script: app.js\n    env: { MODE: dev }\n    env_production: { MODE: prod }\n',
    );
    const [web] = await specsFromConfigFile(
      join(dir, 'profiles.yaml'),
      input({ env: 'production' }),
      where,
      config,
    );
    expect(web!.env.MODE).toBe('prod');
    // as PM2, a script with --env starts; the profile is ignored with a warning
    const warnings: string[] = [];
    const [plain] = specsFromFlags(
      join(dir, 'app.js'),
      input({ env: 'production' }),
      { ...where, warn: (m) => warnings.push(m) },
      config,
    );
    expect(plain!.name).toBe('app');
    expect(warnings).toEqual([
      '--env production: selects the env_<profile> tables of a config file; ignored with a script',
    ]);
  });

  it('refuses app flags next to a config file', async () => {
    expect(hasAppOptions(input({ json: true, 'dry-run': true }))).toBe(false);
    expect(
      await asyncFailure(() =>
        specsFromConfigFile(join(dir, 'good.yaml'), input({ name: 'x' }), where, config),
      ),
    ).toBe('--name does not apply to a config file; set it in the file instead');
  });

  it('next to a PM2 process file, applies --watch and --namespace as pm2 does and ignores the rest', async () => {
    writeFileSync(join(dir, 'ecosystem.json'), JSON.stringify({ apps: [{ name: 'eco', script: 'app.js' }] }));
    const warnings: string[] = [];
    const [spec] = await specsFromConfigFile(
      join(dir, 'ecosystem.json'),
      input({ watch: 'sub', namespace: 'ns1', time: true, instances: '3' }, ['--port', '1']),
      { ...where, warn: (message) => warnings.push(message) },
      config,
    );
    expect(spec).toMatchObject({ name: 'eco', namespace: 'ns1', watch: [join(dir, 'sub')], instances: 1 });
    expect(spec!.args).toEqual([]);
    expect(spec!.logDateFormat).toBeUndefined();
    expect(warnings).toEqual([
      'ecosystem.json: --instances, --time, -- args ignored: pm2 applies no app flag but --watch and --namespace to a process file; set them in the file',
    ]);
  });
});

describe('specsFromConfigFile --only', () => {
  it('links the apps it selected with the selection, for reloads of the file', async () => {
    writeFileSync(
      join(dir, 'three.toml'),
      ['one', 'two', 'three'].map((name) => `[[apps]]\nname = "${name}"\nscript = "app.js"\n`).join('\n'),
    );
    const path = join(dir, 'three.toml');
    const specs = await specsFromConfigFile(path, input({ only: 'three, one' }), where, config);
    expect(specs.map((spec) => spec.source)).toEqual([
      { file: path, only: ['one', 'three'] },
      { file: path, only: ['one', 'three'] },
    ]);
    const all = await specsFromConfigFile(path, input({ 'watch-config': true }), where, config);
    expect(all.map((spec) => spec.source)).toEqual(Array(3).fill({ file: path, isWatched: true }));
  });
});

describe('findOnPath', () => {
  it('finds executables on PATH and nothing else', () => {
    expect(findOnPath('node', process.env)).toMatch(/\/node$/);
    expect(findOnPath('velos-no-such-program', process.env)).toBeNull();
  });
});
