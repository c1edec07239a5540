import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homePids, killPid, runVelos } from '@velos/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'velos-cli-time-bounds-'));
const home = join(dir, 'home');

afterAll(() => {
  // no daemon is started; one started by mistake is stopped by the pid it recorded
  for (const pid of homePids(home)) killPid(pid);
  rmSync(dir, { recursive: true, force: true });
});

describe('velos logs refuses what it cannot honour', () => {
  it('refuse a bare number, which Date read as a calendar date (10: October 2001), with exit status 2', async () => {
    const cases: [string[], string][] = [
      [['logs', '-', '--summary', '--since', '10'], '--since: add a unit to "10": s, m, h or d (e.g. 10m)'],
      [
        ['logs', '-', '--grep', 'x', '--until', '600'],
        '--until: add a unit to "600": s, m, h or d (e.g. 10m)',
      ],
      [['logs', '-', '--summary', '--period', '10'], '--period: add a unit to "10": s, m, h or d (e.g. 1h)'],
      [
        ['logs', '-', '--summary', '--since', 'May 3'],
        '--since: expected a duration ago like 10m, 2h, 1d or a time like 2026-12-01T10:00:00Z, got "May 3"',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runVelos(args, { home, cwd: dir, input: 'a line\n' });
      expect(result.stderr, args.join(' ')).toBe(`velos: ${message}\n`);
      expect(result.code, args.join(' ')).toBe(2);
    }
  });

  it('refuse --rules and -i where they would be ignored (a plain tail took them and said nothing)', async () => {
    const cases: [string[], RegExp][] = [
      [['logs', 'api', '--rules', 'x.toml'], /^velos: --rules goes with - \(stdin\)/],
      [['logs', 'api', '-i'], /^velos: -i\/--ignore-case goes with --grep/],
      // one of the two windows was dropped without a word
      [
        ['logs', '-', '--summary', '--since', '1m', '--period', '1h'],
        /^velos: --period 1h is --since 1h: give one/,
      ],
      [['logs', '-', '--summary', '-i'], /^velos: -i\/--ignore-case goes with --grep/],
      // --limit sets a search's matches: a tail printed its 15 lines and said nothing
      [
        ['logs', 'api', '--limit', '2'],
        /^velos: --limit goes with a search or a view \(--grep, .*\); a tail prints --lines N/,
      ],
      [['logs', '--limit', '2', '-f'], /^velos: --limit goes with a search or a view/],
      // a view prints an analysis: PM2's line flags were ignored there
      [
        ['logs', 'api', '--summary', '--timestamp'],
        /^velos: --timestamp goes with lines \(a tail or a search: --grep, --level, --since, --until\), not with --summary\n$/,
      ],
      [
        ['logs', '-', '--patterns', '--format', '--timestamp=HH:mm'],
        /^velos: --timestamp and --format go with lines .*, not with --patterns\n$/,
      ],
      // a follow is not a search: the flags are named, and how to follow only the matching lines
      [
        ['logs', 'api', '-f', '--grep', 'timeout', '--level', 'error'],
        /^velos: --follow cannot be combined with --level, --grep \(a search or a view reads the log files once\); to follow only matching lines: velos logs api -f \| grep --line-buffered …\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runVelos(args, { home, cwd: dir, input: 'a line\n' });
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.code, args.join(' ')).toBe(2);
    }
  });

  it('refuse an empty --timestamp (as --log-date-format= is) and warn of letters that stay as text', async () => {
    const empty =
      'velos: --timestamp: expected a date format such as HH:mm:ss (without a value: YYYY-MM-DD-HH:mm:ss), got ""\n';
    // a tail is refused before it asks a daemon (none is started), a search before it reads stdin
    for (const args of [
      ['logs', 'api', '--timestamp='],
      ['logs', '-', '--grep', 'line', '--timestamp='],
    ]) {
      const result = await runVelos(args, { home, cwd: dir, input: 'a line\n' });
      expect(result.stderr, args.join(' ')).toBe(empty);
      expect(result.code, args.join(' ')).toBe(2);
    }
    // PM2 prints Do as the day and an o (dayjs without its plugin): so does Velos, and says so
    const unknown = await runVelos(['logs', '-', '--grep', 'line', '--timestamp=Do [of] MMM', '--raw'], {
      home,
      cwd: dir,
      input: '2026-12-03T10:00:00Z a line\n',
    });
    expect(unknown.stderr).toBe(
      'velos: warning: --timestamp: moment tokens other than YYYY YY MMMM MMM MM M DD D dddd ddd dd d HH H hh h mm m ss s SSS A a ZZ Z stay as text: "Do [of] MMM"\n',
    );
    expect(unknown.stdout).toMatch(/^\d{1,2}o of Dec 2026-12-03T10:00:00Z a line\n$/);
    expect(unknown.code).toBe(0);
    const known = await runVelos(['logs', '-', '--grep', 'line', '--timestamp=YYYY-MM-DDTHH:mm'], {
      home,
      cwd: dir,
      input: 'a line\n',
    });
    expect(known.stderr).toBe('');
  });
});
