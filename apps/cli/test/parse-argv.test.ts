import { isVelosError, KEPT_ENV_KEYS } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { renderCommandHelp } from '../src/help.js';
import { joinedSubcommand, parseCommandArgs } from '../src/parse-argv.js';

const start = findCommand('start')!;
const logs = findCommand('logs')!;

function usageFailure(run: () => unknown): { message: string; exitCode: unknown } {
  try {
    run();
  } catch (error) {
    if (!isVelosError(error)) throw error;
    return { message: error.message, exitCode: (error.data as { exitCode?: number }).exitCode };
  }
  throw new Error('expected a usage error');
}

describe('parseCommandArgs', () => {
  it('reads long, short, attached and inline option values among positionals', () => {
    const input = parseCommandArgs(start, [
      'app.js',
      '--name',
      'api',
      '-i4',
      '--kill-timeout=3s',
      '-o',
      'out.log',
    ]);
    expect(input.args).toEqual(['app.js']);
    expect(input.options).toEqual({ name: 'api', instances: '4', 'kill-timeout': '3s', output: 'out.log' });
  });

  it('records how each option was typed, the last spelling winning (for messages that name it)', () => {
    const input = parseCommandArgs(start, [
      'app.js',
      '-c',
      '0 3 * * *',
      '--name=api',
      '-xk',
      '3s',
      '--cron',
      '* * * * *',
    ]);
    expect(input.typedFlags).toEqual({
      cron: '--cron',
      name: '--name',
      'execute-command': '-x',
      'kill-timeout': '-k',
    });
    expect(parseCommandArgs(start, ['app.js', '-c', 'bad']).typedFlags).toEqual({ cron: '-c' });
  });

  it("refuses one of the command's own options as the value of another (it swallowed --dry-run and started the app)", () => {
    expect(usageFailure(() => parseCommandArgs(start, ['app.js', '--log-date-format', '--dry-run']))).toEqual(
      {
        message:
          'option --log-date-format needs a value, got the option --dry-run (for that very value write --log-date-format=--dry-run) (see velos start --help)',
        exitCode: 2,
      },
    );
    expect(usageFailure(() => parseCommandArgs(start, ['app.js', '-o', '--name=x'])).message).toMatch(
      /^option -o needs a value, got the option --name=x \(for that very value write -o--name=x\)/,
    );
    expect(usageFailure(() => parseCommandArgs(start, ['app.js', '--name', '-f'])).message).toMatch(
      /^option --name needs a value, got the option -f /,
    );
    // a value that merely starts with a dash, or given with =, is taken
    expect(parseCommandArgs(start, ['app.js', '--node-args', '--inspect']).options).toEqual({
      'node-args': '--inspect',
    });
    expect(parseCommandArgs(start, ['app.js', '--name=--dry-run']).options).toEqual({ name: '--dry-run' });
  });

  it("takes PM2's -l/--log [path] as commander does: the next word unless it is an option", () => {
    expect(parseCommandArgs(start, ['app.js', '-l']).options).toEqual({ log: true });
    expect(parseCommandArgs(start, ['app.js', '--log', '--name', 'a']).options).toEqual({
      log: true,
      name: 'a',
    });
    expect(parseCommandArgs(start, ['app.js', '-l', '--', 'x']).options).toEqual({ log: true });
    expect(parseCommandArgs(start, ['app.js', '-l', '--', 'x']).rest).toEqual(['x']);
    const given = parseCommandArgs(start, ['app.js', '--log', '/tmp/all.log', '-lx.log']);
    expect(given.args).toEqual(['app.js']);
    expect(given.options).toEqual({ log: 'x.log' });
    expect(parseCommandArgs(start, ['app.js', '-l', 'all.log']).options).toEqual({ log: 'all.log' });
    expect(parseCommandArgs(start, ['app.js', '--log=all.log']).options).toEqual({ log: 'all.log' });
    // before the script, the next word is the script (commander would take it as the path)
    const first = parseCommandArgs(start, ['-l', 'app.js']);
    expect([first.args, first.options]).toEqual([['app.js'], { log: true }]);
  });

  it("takes PM2's --timestamp <format> when the next word can only be a date format, else a target", () => {
    expect(parseCommandArgs(logs, ['--timestamp', 'HH:mm:ss']).options.timestamp).toBe('HH:mm:ss');
    const both = parseCommandArgs(logs, ['api', '--timestamp', 'YYYY-MM-DD HH:mm:ss.SSS', '--lines', '3']);
    expect(both.args).toEqual(['api']);
    expect(both.options).toMatchObject({ timestamp: 'YYYY-MM-DD HH:mm:ss.SSS', lines: '3' });
    expect(parseCommandArgs(logs, ['--timestamp', '[at] HH:mm']).options.timestamp).toBe('[at] HH:mm');
    // app names, even short ones made of date letters, stay targets
    for (const name of ['api', 'ms', 'mm', 'web-1', 'Mass', 'HH']) {
      const input = parseCommandArgs(logs, ['--timestamp', name]);
      expect(input.options.timestamp, name).toBe(true);
      expect(input.args, name).toEqual([name]);
    }
    expect(parseCommandArgs(logs, ['--timestamp=ss', 'api']).options.timestamp).toBe('ss');
  });

  it("takes PM2's --stop-exit-codes <codes...> as separate words, up to the first non-number", () => {
    const input = parseCommandArgs(start, ['--stop-exit-codes', '0', '3', 'app.js', '--name', 'a']);
    expect(input.args).toEqual(['app.js']);
    expect(input.options).toEqual({ 'stop-exit-codes': '0,3', name: 'a' });
    expect(parseCommandArgs(start, ['app.js', '--stop-exit-codes=1', '2']).options['stop-exit-codes']).toBe(
      '1,2',
    );
  });

  it('keeps everything after -- for the app, option-looking words included', () => {
    const input = parseCommandArgs(start, ['app.js', '--no-autorestart', '--', '--port', '3000', '-v']);
    expect(input.options).toEqual({ 'no-autorestart': true });
    expect(input.rest).toEqual(['--port', '3000', '-v']);
  });

  it('finds command aliases and boolean short flags', () => {
    expect(findCommand('ls')?.name).toBe('list');
    expect(findCommand('show')?.name).toBe('describe');
    expect(parseCommandArgs(logs, ['api', '-f', '--lines', '5']).options).toEqual({
      follow: true,
      lines: '5',
    });
  });

  it('rejects unknown options, missing values and wrong argument counts as usage errors (exit 2)', () => {
    expect(usageFailure(() => parseCommandArgs(start, ['app.js', '--nme', 'x']))).toEqual({
      message: 'unknown option --nme for velos start; did you mean --name? (see velos start --help)',
      exitCode: 2,
    });
    expect(
      usageFailure(() => parseCommandArgs(start, ['app.js', '--max-memroy-restart', '1G'])).message,
    ).toBe(
      'unknown option --max-memroy-restart for velos start; did you mean --max-memory-restart? (see velos start --help)',
    );
    // another command's name of the option: velos logs --lines, velos events --limit
    expect(usageFailure(() => parseCommandArgs(findCommand('events')!, ['--lines', '5'])).message).toBe(
      'unknown option --lines for velos events; did you mean --limit? (see velos events --help)',
    );
    expect(usageFailure(() => parseCommandArgs(logs, ['api', '--tail', '5'])).message).toBe(
      'unknown option --tail for velos logs; did you mean --lines? (see velos logs --help)',
    );
    // PM2's logs --highlight: not taken, and not read as the start of an app's name
    expect(usageFailure(() => parseCommandArgs(logs, ['api', '--highlight', 'ERR'])).message).toBe(
      'unknown option --highlight for velos logs; did you mean --grep? (see velos logs --help)',
    );
    expect(usageFailure(() => parseCommandArgs(start, ['app.js', '--frobnicate'])).message).toBe(
      'unknown option --frobnicate for velos start; an option of the app goes after --: velos start app.js -- --frobnicate (see velos start --help)',
    );
    // the app's own option typed before --: where it goes, with its value
    expect(usageFailure(() => parseCommandArgs(start, ['server.js', '--port', '3000'])).message).toBe(
      'unknown option --port for velos start; an option of the app goes after --: velos start server.js -- --port 3000 (see velos start --help)',
    );
    expect(usageFailure(() => parseCommandArgs(start, ['--port', '3000', 'server.js'])).message).toBe(
      'unknown option --port for velos start; an option of the app goes after its script and --: velos start <script> -- --port (see velos start --help)',
    );
    // a config file's apps take no arguments: no hint
    expect(usageFailure(() => parseCommandArgs(start, ['velos.toml', '--port', '3000'])).message).toBe(
      'unknown option --port for velos start (see velos start --help)',
    );
    expect(usageFailure(() => parseCommandArgs(start, ['app.js', '--name'])).message).toBe(
      'option --name needs a value <name> (see velos start --help)',
    );
    // `velos start` alone is PM2's `pm2 start`: ./ecosystem.config.js (the command says when there is none)
    expect(parseCommandArgs(start, ['--watch']).args).toEqual([]);
    expect(usageFailure(() => parseCommandArgs(start, ['a.js', 'b.js'])).message).toBe(
      'unexpected argument "b.js" for velos start; put arguments for the app after --: velos start a.js -- b.js (see velos start --help)',
    );
    // a program and its script unquoted, as typed in a shell: both ways written out with the words typed
    expect(usageFailure(() => parseCommandArgs(start, ['python3', 'worker.py', '--name', 'w'])).message).toBe(
      'unexpected argument "worker.py" for velos start; put arguments for the app after --: velos start python3 -- worker.py, or quote a command line: velos start "python3 worker.py" (see velos start --help)',
    );
    expect(usageFailure(() => parseCommandArgs(start, ['node', 'app.js', 'a b'])).message).toBe(
      `unexpected argument "app.js" for velos start; put arguments for the app after --: velos start node -- app.js 'a b', or quote a command line: velos start "node app.js 'a b'" (see velos start --help)`,
    );
    // PM2's name of a command is the one its errors give, and what is missing of its arguments
    const signal = findCommand('sendSignal')!;
    expect(usageFailure(() => parseCommandArgs(signal, [], 'sendSignal')).message).toBe(
      'velos sendSignal needs <signal> <target...> (see velos sendSignal --help)',
    );
    expect(usageFailure(() => parseCommandArgs(signal, ['SIGUSR2'], 'sendSignal')).message).toBe(
      'velos sendSignal needs <signal> <target...>; <target...> is missing (see velos sendSignal --help)',
    );
    const events = findCommand('events')!;
    expect(usageFailure(() => parseCommandArgs(events, ['-bad'])).message).toBe(
      'unknown option -b for velos events; to name an app called "-bad", put it after --: velos events -- -bad (see velos events --help)',
    );
    expect(usageFailure(() => parseCommandArgs(events, ['emit', '-bad'])).message).toBe(
      'unknown option -b for velos events; an event name starts with a letter, a digit or _ (velos events emit <name>) (see velos events --help)',
    );
    expect(usageFailure(() => parseCommandArgs(events, ['emit', 'deploy', 'v=2', '--x=1'])).message).toBe(
      'unknown option --x for velos events; to give a field whose key starts with -, put it after --: velos events emit deploy v=2 -- --x=1 (see velos events --help)',
    );
    expect(usageFailure(() => parseCommandArgs(logs, ['-x'])).message).toBe(
      'unknown option -x for velos logs; to name an app called "-x", put it after --: velos logs -- -x (see velos logs --help)',
    );
    expect(usageFailure(() => parseCommandArgs(findCommand('list')!, ['--json=yes'])).message).toBe(
      'option --json takes no value (see velos list --help)',
    );
  });

  it('takes the words after -- as targets for commands without app arguments (issue #8: an app named -rf)', () => {
    const stop = findCommand('stop')!;
    expect(parseCommandArgs(stop, ['--', '-rf'])).toEqual({
      options: {},
      args: ['-rf'],
      rest: [],
      typedFlags: {},
    });
    expect(parseCommandArgs(stop, ['api', '--', '--all', '-'])).toMatchObject({
      args: ['api', '--all', '-'],
    });
    expect(usageFailure(() => parseCommandArgs(stop, ['-rf']))).toEqual({
      message:
        'unknown option -r for velos stop; to name an app called "-rf", put it after --: velos stop -- -rf (see velos stop --help)',
      exitCode: 2,
    });
    expect(usageFailure(() => parseCommandArgs(findCommand('list')!, ['-z'])).message).toBe(
      'unknown option -z for velos list (see velos list --help)',
    );
  });
});

describe('service commands', () => {
  it("take PM2's unstartup -u <user> --hp <home> as pm2 startup prints it", () => {
    const input = parseCommandArgs(findCommand('unstartup')!, [
      'systemd',
      '-u',
      'deploy',
      '--hp',
      '/home/deploy',
    ]);
    expect(input.args).toEqual(['systemd']);
  });

  it('do not tell how to name an app called "-x": their words are an init system or a format', () => {
    for (const name of ['startup', 'unstartup', 'export']) {
      const { message, exitCode } = usageFailure(() => parseCommandArgs(findCommand(name)!, ['-x'], name));
      expect(message, name).toBe(`unknown option -x for velos ${name} (see velos ${name} --help)`);
      expect(exitCode).toBe(2);
    }
  });
});

describe('renderCommandHelp', () => {
  it('names the command as typed: PM2 sendSignal is not called signal in its own help', () => {
    const lines = renderCommandHelp(findCommand('sendSignal')!, 'sendSignal').split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'Usage: velos sendSignal <signal> <target...> [options]',
      'Aliases: signal',
    ]);
  });

  it('indents every line of a description of several lines under its first line', () => {
    const options = renderCommandHelp(start).split('\nOptions:\n')[1]!.split('\n');
    const column = options[0]!.indexOf('app name');
    const first = options.findIndex((line) => line.includes('--cron-restart'));
    expect(first).toBeGreaterThan(0);
    expect(options[first + 1]).toMatch(new RegExp(`^ {${column}}\\S`));
    for (const line of options) expect(line).toMatch(/^ {2}/);
  });

  it('lists the variables --no-inherit-env keeps as the code keeps them', () => {
    const line = renderCommandHelp(start)
      .split('\n')
      .find((each) => each.includes('--no-inherit-env'))!;
    for (const key of KEPT_ENV_KEYS) expect(line).toContain(key);
  });
});

describe('joinedSubcommand (an unknown command of a command and its subcommand as one word)', () => {
  it('names the command and subcommand the word joins, null for any other word', () => {
    expect(joinedSubcommand('import-pm2', findCommand)).toBe('velos import pm2');
    expect(joinedSubcommand('config:unset', findCommand)).toBe('velos config unset');
    expect(joinedSubcommand('config_show', findCommand)).toBe('velos config show');
    for (const word of ['import-pm3', 'import-', '-pm2', 'bogus-pm2', 'stop-all', 'deepUpdate']) {
      expect(joinedSubcommand(word, findCommand)).toBe(null);
    }
  });
});
