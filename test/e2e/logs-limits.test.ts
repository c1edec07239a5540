import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearApps,
  describeState,
  homeEnv,
  outLog,
  readLines,
  sharedHome,
  trackHomeChild,
  VELOS_BIN,
  velos,
  velosOk,
  waitFor,
} from './helpers.js';

// One home and daemon for the file: each test reads only its own app's logs (by name).
const shared = sharedHome();

/** After each test, every app of the shared home is deleted (its daemon stays): a test that failed leaves nothing running. */
afterEach(() => clearApps(shared()));

/**
 * The line long-line.js prints, past the 16 MiB frame limit (MAX_FRAME_BYTES; issue #8 had 50 MB), and
 * the lines it is captured as (a short one, then pieces of at most 2 MiB).
 */
const HUGE_BYTES = 24_000_000;
const HUGE_CAPTURED_LINES = 1 + Math.ceil(('long:'.length + HUGE_BYTES + ':end'.length) / (2 * 1024 * 1024));

/** Runs the CLI with a pseudo-terminal as stdout (util-linux `script`), as a user at a terminal would. */
async function velosOnTerminal(args: string[], home: string): Promise<string> {
  const command = [process.execPath, VELOS_BIN, ...args].map((part) => `'${part}'`).join(' ');
  const run = promisify(execFile)('script', ['-qec', command, '/dev/null'], {
    env: homeEnv(home, { NO_COLOR: '1' }),
    timeout: 30_000,
  });
  trackHomeChild(run.child, home);
  return (await run).stdout;
}

describe('velos logs: answers past the frame limit (#8)', () => {
  it('prints what fits, says on stderr what was left out and where, and exits 0', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/long-line.js', '--name', 'huge'], {
      home,
      env: { LONG_BYTES: String(HUGE_BYTES), STAY: '1', PARTIAL: '0' },
    });
    await waitFor(async () => (await describeState(home, 'huge'))[0]?.logLines.out === HUGE_CAPTURED_LINES, {
      timeoutMs: 30_000,
      message: 'the 24 MB line captured',
    });
    await waitFor(() => readLines(outLog(home, 'huge')).at(-1)?.endsWith(':end'), {
      message: 'the file written',
    });

    const result = await velos(['logs', 'huge', '--lines', '1000'], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().endsWith(':end')).toBe(true);
    expect(result.stdout.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(result.stderr).toContain('older lines left out');
    expect(result.stderr).toContain(outLog(home, 'huge'));
    expect(result.stderr).not.toContain('exceeds');
  });
});

describe('velos logs: control characters (#8)', () => {
  it('escapes them on a terminal (colours are dropped under NO_COLOR), prints them with --raw, and leaves piped output as it was', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/control-chars.js', '--name', 'cc'], { home });
    await waitFor(() => readLines(outLog(home, 'cc')).length === 1, { message: 'the line written' });

    const onTerminal = await velosOnTerminal(['logs', 'cc'], home);
    expect(onTerminal).toContain('cc | plain red \\x07bell \\x9b2J csi\ttab end');
    expect(onTerminal).not.toMatch(/[\u0007\u001b\u009b]/);

    const raw = await velosOnTerminal(['logs', 'cc', '--raw'], home);
    expect(raw).toContain('plain \u001b[31mred\u001b[0m \u0007bell \u009b2J csi\ttab end');

    const piped = await velosOk(['logs', 'cc'], { home });
    expect(piped.stdout).toBe('cc | plain \u001b[31mred\u001b[0m \u0007bell \u009b2J csi\ttab end\n');
  });
});

describe('velos logs: the log engine views and searches print as plain velos logs does', () => {
  it('escapes control characters of --summary/--patterns on a terminal; --grep honours --raw and --timestamp', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/control-chars.js', '--name', 'cv'], { home });
    await waitFor(() => readLines(outLog(home, 'cv')).length === 1, { message: 'the line written' });

    for (const view of ['--summary', '--patterns', '--dedupe']) {
      const onTerminal = await velosOnTerminal(['logs', 'cv', view], home);
      expect(onTerminal, view).not.toMatch(/[\u0007\u001b\u009b]/);
      // the engine reads the C1 CSI's sequence out of the line as it does ESC ['s (the BEL is escaped)
      expect(onTerminal, view).toMatch(/plain red (\\x07)?bell +csi/);
    }

    const raw = await velosOk(['logs', 'cv', '--grep', 'plain', '--raw'], { home });
    expect(raw.stdout).toBe('plain \u001b[31mred\u001b[0m \u0007bell \u009b2J csi\ttab end\n');
    const rawOnTerminal = await velosOnTerminal(['logs', 'cv', '--grep', 'plain', '--raw'], home);
    expect(rawOnTerminal).toContain('plain \u001b[31mred');

    const stamped = await velosOk(['logs', 'cv', '--grep', 'plain', '--timestamp'], { home });
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d cv \| plain /);
    const since = await velosOk(['logs', 'cv', '--since', '1h', '--timestamp=YYYY'], { home });
    expect(since.stdout).toMatch(/^\d{4} cv \| plain /);
  });
});

describe('velos logs: the log engine views of long lines', () => {
  it('cut a long template to 120 characters in the text of --summary and --patterns; --json keeps the 2,000 of the answer', async () => {
    const home = shared();
    // `short line`, then `long:` + 5,000 `y` + `:end`
    await velosOk(['start', 'fixtures/long-line.js', '--name', 'wide'], {
      home,
      env: { LONG_BYTES: '5000', STAY: '1', PARTIAL: '0' },
    });
    await waitFor(() => readLines(outLog(home, 'wide')).at(-1)?.endsWith(':end'), {
      message: 'the long line written',
    });
    const cut = `long:${'y'.repeat(114)}…`;
    for (const view of ['--summary', '--patterns']) {
      const text = (await velosOk(['logs', 'wide', view], { home })).stdout;
      const line = text.split('\n').find((shown) => shown.includes('long:'));
      expect(line, view).toContain(`1× ${cut} (`);
      expect(line!.length, view).toBeLessThan(160);
    }
    const json = JSON.parse((await velosOk(['logs', 'wide', '--patterns', '--json'], { home })).stdout);
    const long = json.patterns.find((p: { template: string }) => p.template.startsWith('long:'));
    expect([long.template.length, long.sample.length]).toEqual([2000, 2000]);
  });
});

describe('velos logs: instances sharing one log file (#19 item 6)', () => {
  it('prints every line once, in the order of the file', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/instance-lines.js', '--name', 'multi', '-i', '3'], {
      home,
      env: { COUNT: '1500' },
    });
    const file = await waitFor(
      () => {
        const lines = readLines(outLog(home, 'multi'));
        return lines.length === 4500 ? lines : undefined;
      },
      { timeoutMs: 30_000, message: '4500 lines in the shared file' },
    );
    const result = await velosOk(['logs', 'multi', '--lines', '4500', '--raw'], { home });
    expect(result.stdout.split('\n').slice(0, -1)).toEqual(file);
    const last = await velosOk(['logs', 'multi', '--lines', '10', '--raw'], { home });
    expect(last.stdout.split('\n').slice(0, -1)).toEqual(file.slice(-10));

    // one instance (PM2's pm2 logs <id>): its lines only, those the daemon holds in memory (1000), and a
    // notice that its older ones are in the shared file
    const [, second] = (await describeState(home, 'multi')).map((p) => p.id);
    const own = await velosOk(['logs', String(second), '--lines', '5', '--raw'], { home });
    expect(own.stdout.split('\n').slice(0, -1)).toEqual([
      'i1 1496',
      'i1 1497',
      'i1 1498',
      'i1 1499',
      'i1 1500',
    ]);
    expect(own.stderr).toBe('');
    const beyond = await velosOk(['logs', String(second), '--lines', '1200', '--raw'], { home });
    const lines = beyond.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(1000);
    expect(lines.every((line) => line.startsWith('i1 '))).toBe(true);
    expect(beyond.stderr).toBe(
      `velos logs: process ${second} shares its log files with the other instances of its app: its older lines are in ${outLog(home, 'multi')}, where they cannot be told from theirs (velos logs <app> shows every instance; log_per_instance = true gives each instance its own files).\n`,
    );
  });
});
