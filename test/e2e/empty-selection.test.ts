import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, killChild, spawnVelos, velos, velosOk, waitFor } from './helpers.js';

// `all` on a table with no process selects nothing: a command that needs a process says so in one line
// and exits 1, never "internal error" (found by the CLI sweep of session 31: `velos env all`, and
// `velos stop <a 300-character name>`, which ended in "internal error: ENAMETOOLONG").
describe('commands on `all` with no process', () => {
  let home = '';
  beforeAll(async () => {
    home = createHome();
    await velosOk(['list'], { home });
  });
  afterAll(async () => {
    await velos(['kill'], { home });
    await cleanupHomes();
  });

  it('velos env all: not found, one line, exit 1 (text and --json; --ai with the code)', async () => {
    for (const extra of [[], ['--json'], ['--ai']]) {
      const result = await velos(['env', 'all', ...extra], { home });
      expect(result.code, result.stderr).toBe(1);
      const code = extra[0] === '--ai' ? 'TARGET_NOT_FOUND: ' : '';
      expect(result.stderr).toBe(`velos: ${code}no process matches 'all': there are none\n`);
      expect(result.stdout).toBe('');
    }
  });

  it('velos describe all: says there are no processes (text, --history), [] with --json', async () => {
    for (const extra of [[], ['--history']]) {
      const result = await velosOk(['describe', 'all', ...extra], { home });
      expect(result.stdout).toBe('no processes; start one with: velos start <script>\n');
    }
    expect((await velosOk(['describe', 'all', '--json'], { home })).stdout.trim()).toBe('[]');
  });

  it('velos logs: says there are no processes on stderr, exit 0 (it printed nothing); --ai prints []', async () => {
    const notice = 'velos: no processes; start one with: velos start <script>\n';
    for (const extra of [[], ['all'], ['--json'], ['--lines', '0']]) {
      const result = await velosOk(['logs', ...extra], { home });
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(notice);
    }
    const ai = await velosOk(['logs', '--ai'], { home });
    expect([ai.stdout, ai.stderr]).toEqual(['[]\n', notice]);
  });

  it('velos logs --follow with no processes: says so, then follows the lines of an app started later', async () => {
    const follower = spawnVelos(['logs', '--follow'], { home });
    let stdout = '';
    let stderr = '';
    follower.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    follower.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    try {
      await waitFor(() => stderr.includes('\n'), { message: 'the notice of the follow' });
      expect(stderr).toBe(
        'velos: no processes; start one with: velos start <script> (following: their lines appear here)\n',
      );
      await velosOk(['start', 'fixtures/chatty.js', '--name', 'later'], { home, env: { RATE: '20' } });
      await waitFor(() => stdout.includes('later | line 1'), { message: "the new app's first line" });
      expect(follower.exitCode).toBeNull();
    } finally {
      killChild(follower);
      await velos(['delete', 'later'], { home });
    }
  });

  it('a target no file can have (too long a name, a path through a file) is a process target: not found', async () => {
    for (const command of ['stop', 'restart', 'reload', 'delete']) {
      for (const target of ['a'.repeat(300), 'package.json/x.js']) {
        const result = await velos([command, target], { home });
        expect(result.stderr).not.toContain('internal error');
        expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
        expect(result.stderr).toMatch(/^velos: /);
        expect(result.code).not.toBe(0);
      }
    }
  });

  it('velos start of a path no file can have: one line, exit 1 (the quick path threw a raw stack trace)', async () => {
    const long = 'a'.repeat(300);
    const ticker = 'fixtures/ticker.js';
    const cases: [string[], RegExp][] = [
      [['start', 'package.json/x.js'], /^velos: script not found: package\.json\/x\.js$/],
      [['start', `${long}.js`], /^velos: script not found: a+\.js$/],
      // no extension: longer than any process target, so not one (it said "describe: target: expected at most 200 characters")
      [['start', long], /^velos: script not found: a+ \(not a file, a known process or a program on PATH\)$/],
      [['start', ticker, '--cwd', `/${long}`], /^velos: --cwd: not a directory: \/a+$/],
      [['start', ticker, '--cwd', 'package.json/x'], /^velos: --cwd: not a directory: package\.json\/x$/],
    ];
    for (const [args, message] of cases) {
      const result = await velos(args, { home });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr.trimEnd(), args.join(' ')).toMatch(message);
    }
    // an empty word: a usage error (it resolved to the working directory: "script is a directory: ")
    for (const word of ['', '  ']) {
      const empty = await velos(['start', word], { home });
      expect(empty.code, empty.stderr).toBe(2);
      expect(empty.stderr).toBe(
        'velos: the script is empty: give a script, a "command line" or a config file\n',
      );
    }
    expect((await velosOk(['list', '--json'], { home })).stdout.trim()).toBe('[]');
  });

  it('log files no path can name: the daemon says it cannot open them; a watchdog starts (both were INTERNAL)', async () => {
    const long = `/tmp/${'a'.repeat(300)}`;
    const log = await velos(['start', 'fixtures/ticker.js', '--name', 'lg', '--log', `${long}/x.log`], {
      home,
    });
    expect(log.code, log.stderr).toBe(1);
    expect(log.stderr).toMatch(/^velos: lg: cannot open log file \/tmp\/a+\/x\.log[^\n]*\n$/);
    const watchdog = await velos(['watchdog', 'sleep 30', `${long}.log`, '--json'], { home });
    expect(watchdog.stderr).not.toContain('internal error');
    expect(watchdog.code, watchdog.stderr).toBe(0);
    expect((await velosOk(['delete', 'all'], { home })).code).toBe(0);
  });
});
