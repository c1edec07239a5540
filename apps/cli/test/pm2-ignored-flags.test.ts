import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as config from '@velos/core/config';
import { afterAll, describe, expect, it } from 'vitest';
import { PM2_IGNORED_START_OPTIONS } from '../src/command-table/pm2-ignored-options.js';
import { findCommand } from '../src/command-table.js';
import { specsFromFlags } from '../src/commands/start-spec.js';
import { renderCommandHelp } from '../src/help.js';
import { parseCommandArgs } from '../src/parse-argv.js';
import { ignoredPm2FlagsWarning } from '../src/pm2/ignored-flags.js';

const start = findCommand('start')!;
const dir = mkdtempSync(join(tmpdir(), 'velos-pm2-flags-'));
writeFileSync(join(dir, 'app.js'), '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The flags of a PM2 deploy script that Velos refused with exit 2 (unknown option). */
const DEPLOY_FLAGS = [
  '--no-vizion',
  '--no-pmx',
  '--no-treekill',
  '--disable-trace',
  '--source-map-support',
  '--instance-var',
  'I',
  '--log-type',
  'json',
  '--filter-env=X',
];

describe("PM2's start flags with no Velos equivalent", () => {
  it('are taken by velos start, values included, and named in one warning, each once', () => {
    const input = parseCommandArgs(start, ['app.js', ...DEPLOY_FLAGS, '--no-vizion']);
    expect(input.args).toEqual(['app.js']);
    expect(input.options).toMatchObject({ 'log-type': 'json', 'filter-env': 'X' });
    expect(ignoredPm2FlagsWarning(input)).not.toContain('filter-env');
    expect(ignoredPm2FlagsWarning(input)).toBe(
      'PM2 options with no Velos equivalent, ignored: --no-vizion, --no-treekill, --no-pmx, ' +
        '--disable-trace, --source-map-support, --log-type',
    );
    expect(ignoredPm2FlagsWarning(parseCommandArgs(start, ['app.js', '--name', 'api']))).toBeNull();
  });

  it('are taken by startOrRestart, startOrReload and startOrGracefulReload too, as a deploy script passes them', () => {
    for (const name of ['startOrRestart', 'startOrReload', 'startOrGracefulReload']) {
      const input = parseCommandArgs(findCommand(name)!, [
        'ecosystem.config.js',
        '--env',
        'production',
        ...DEPLOY_FLAGS.filter((flag) => flag !== '--instance-var' && flag !== 'I'),
      ]);
      expect(input.args).toEqual(['ecosystem.config.js']);
      expect(ignoredPm2FlagsWarning(input)).toBe(
        'PM2 options with no Velos equivalent, ignored: --no-vizion, --no-treekill, --no-pmx, ' +
          '--disable-trace, --source-map-support, --log-type',
      );
    }
  });

  it("take PM2's --filter-env [envs] as commander does: the next word once the script is given", () => {
    expect(parseCommandArgs(start, ['app.js', '--filter-env', 'SECRET']).options['filter-env']).toBe(
      'SECRET',
    );
    const before = parseCommandArgs(start, ['--filter-env', 'app.js']);
    expect(before.args).toEqual(['app.js']);
    expect(before.options['filter-env']).toBe(true);
  });

  it("map PM2's -u/--user (the user an app runs as) onto uid, as a process file's user is", () => {
    const where = { cwd: dir, env: {}, cpuCount: 2 };
    for (const flag of ['--user', '-u']) {
      const input = parseCommandArgs(start, ['app.js', flag, 'root']);
      expect(specsFromFlags(join(dir, 'app.js'), input, where, config)[0]!.uid).toBe('root');
    }
  });

  it('map --instance-var onto instance_var, checked as in a config file', () => {
    const input = parseCommandArgs(start, ['app.js', ...DEPLOY_FLAGS]);
    const [spec] = specsFromFlags(join(dir, 'app.js'), input, { cwd: dir, env: {}, cpuCount: 2 }, config);
    expect(spec!.instanceVar).toBe('I');
    const bad = parseCommandArgs(start, ['app.js', '--instance-var', '1x']);
    expect(() =>
      specsFromFlags(join(dir, 'app.js'), bad, { cwd: dir, env: {}, cpuCount: 2 }, config),
    ).toThrow('--instance-var: expected an environment variable name, got "1x"');
  });

  it.each([
    ['--docker', "PM2's Docker mode: Velos has none; run velos start <file> --no-daemon"],
    [
      '--daemon',
      "PM2's --daemon (of its Docker mode): velos start runs the apps under a background daemon already",
    ],
    ['--image-name', "PM2's Docker mode"],
    ['--node-version=20', "PM2's Docker mode"],
    ['--dockerdaemon', "PM2's Docker mode"],
    ['--no-auto-exit', "pm2-runtime's --no-auto-exit: velos start <file> --no-daemon does not exit"],
    ['--auto-exit', "pm2-runtime's auto-exit: velos start <file> --no-daemon does not exit"],
    ['--delay', "pm2-runtime's --delay: Velos starts the apps at once"],
    ['--web', "pm2-runtime's --web: the daemon serves Prometheus metrics"],
    ['--secret', "pm2-runtime's PM2.io keys"],
  ])("pm2-runtime's and Docker mode's %s is refused naming what Velos does instead", (flag, hint) => {
    // a usage error (exit 2) of one line: unknown option --docker for velos start; PM2's Docker mode: …
    const refusal = () => parseCommandArgs(start, ['ecosystem.config.js', flag]);
    expect(refusal).toThrow(`unknown option ${flag.split('=')[0]} for velos start; ${hint}`);
  });

  it('are named in the details of velos start --help, not listed one by one with the options', () => {
    const [details, options] = renderCommandHelp(start).split('\nOptions:\n') as [string, string];
    const prose = details.replace(/\n/g, ' ');
    for (const name of Object.keys(PM2_IGNORED_START_OPTIONS)) {
      expect(prose).toMatch(new RegExp(`--${name}[,.]`));
      expect(options).not.toMatch(new RegExp(`--${name}(?![\\w-])`));
    }
    expect(options).toMatch(/--instance-var <VAR> {2,}the env variable holding the instance index/);
  });

  it('take --no-autostart, --filter-env and --append-env-to-name (start and startOrRestart)', () => {
    const input = parseCommandArgs(start, [
      'app.js',
      '--no-autostart',
      '--append-env-to-name',
      '--filter-env',
      'AWS_ SECRET,X',
    ]);
    expect(ignoredPm2FlagsWarning(input)).toBeNull();
    const warnings: string[] = [];
    const where = { cwd: dir, env: {}, cpuCount: 2, warn: (message: string) => warnings.push(message) };
    const [spec] = specsFromFlags(join(dir, 'app.js'), input, where, config);
    expect(spec!.autostart).toBe(false);
    expect(spec!.filterEnv).toEqual(['AWS_', 'SECRET', 'X']);
    const alone = parseCommandArgs(start, ['app.js', '--filter-env']);
    expect(specsFromFlags(join(dir, 'app.js'), alone, where, config)[0]!.inheritEnv).toBe(false);
    expect(warnings).toEqual([
      "--append-env-to-name: adds the --env profile to the names of a config file's apps; ignored with a script",
    ]);
    for (const name of ['startOrRestart', 'startOrReload']) {
      const options = parseCommandArgs(findCommand(name)!, [
        'ecosystem.json',
        '--append-env-to-name',
      ]).options;
      expect(options['append-env-to-name']).toBe(true);
    }
  });
});
