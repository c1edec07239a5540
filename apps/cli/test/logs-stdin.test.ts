import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homePids, killPid, runVelos, spawnVelos, waitFor } from '@velos/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'velos-cli-logs-stdin-'));
const home = join(dir, 'home');
// the CLI's own temporary files go here, to see that it deletes them
const scratch = join(dir, 'tmp');
mkdirSync(scratch);

afterAll(() => {
  // no daemon is started; one started by mistake is stopped by the pid it recorded
  for (const pid of homePids(home)) killPid(pid);
  rmSync(dir, { recursive: true, force: true });
});

const lines = [
  ...Array.from(
    { length: 40 },
    (_, i) => `2026-12-01T10:${String(i % 60).padStart(2, '0')}:00Z INFO request ${i} served in ${i + 3} ms`,
  ),
  ...Array.from(
    { length: 12 },
    (_, i) => `2026-12-01T10:45:${String(i).padStart(2, '0')}Z ERROR upstream timeout after ${i + 1}000 ms`,
  ),
  '2026-12-01T10:46:00Z WARN disk almost full',
].join('\n');

function logs(args: string[], input = `${lines}\n`) {
  return runVelos(['logs', '-', ...args], { home, cwd: dir, input, env: { NO_COLOR: '1', TMPDIR: scratch } });
}

/** Lines stamped `minutes` ago each (the oldest first), as `<ISO time> INFO tick <minutes>`. */
function ticks(minutes: number[]): string {
  const now = Date.now();
  return minutes.map((ago) => `${new Date(now - ago * 60_000).toISOString()} INFO tick ${ago}\n`).join('');
}

/** The `tick <n>` numbers of a search's text output, in order. */
function tickNumbers(stdout: string): number[] {
  return [...stdout.matchAll(/tick (\d+)$/gm)].map((match) => Number(match[1]));
}

describe('velos logs - (ENG-8: the log engine on stdin, without a daemon)', () => {
  it('summarises stdin as it summarises an app, and leaves no daemon and no file behind', async () => {
    const text = await logs(['--summary']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^all lines · 2026-12-01 .*53 lines .* health \d+\/100\n/);
    expect(text.stdout).toMatch(/levels: 12 error · 1 warn · 40 info/);
    expect(text.stdout).toMatch(/12× \[error\] .*upstream timeout after <dur>/);
    const ai = JSON.parse((await logs(['--summary', '--ai'])).stdout);
    expect(ai).toMatchObject({ app: 'stdin', n: 53 });
    expect(existsSync(home)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('searches stdin with the filters, newest matches last, and says how many were left out', async () => {
    const search = await logs(['--level', 'error', '--grep', 'timeout after (1|2)000 ms', '--limit', '1']);
    expect(search.code).toBe(0);
    expect(search.stdout).toBe('stdin | 2026-12-01T10:45:01Z ERROR upstream timeout after 2000 ms\n');
    expect(search.stderr).toBe(
      'velos logs: the newest matches are shown: at least 1 older match left out (a larger --limit shows more)\n',
    );
    // --lines sets the matches too: the notice names it
    const byLines = await logs(['--level', 'error', '--grep', 'timeout after (1|2)000 ms', '--lines', '1']);
    expect(byLines.stdout).toBe(search.stdout);
    expect(byLines.stderr).toBe(
      'velos logs: the newest matches are shown: at least 1 older match left out (a larger --lines shows more)\n',
    );
    // PM2's --format prints the matches as key=value lines, as it prints a tail (it was ignored here)
    const keyValue = await logs(['--grep', 'timeout after 2000 ms', '--format']);
    expect(keyValue.stdout).toBe(
      'timestamp=2026-12-01T10:45:01.000Z app=stdin id=0 type=out message=2026-12-01T10:45:01Z ERROR upstream timeout after 2000 ms\n',
    );
    const patterns = JSON.parse((await logs(['--patterns', '--json'])).stdout);
    expect(patterns.patterns[0]).toMatchObject({ count: 40, level: 'info' });
    // the names logs write for a level (pino's trace, warning, critical) are the engine's levels
    const asError = await logs(['--level', 'error', '--limit', '5']);
    expect((await logs(['--level', 'CRITICAL', '--limit', '5'])).code).toBe(0);
    expect((await logs(['--level', 'Err', '--limit', '5'])).stdout).toBe(asError.stdout);
    const asDebug = await logs(['--level', 'debug', '--limit', '5']);
    expect((await logs(['--level', 'trace', '--limit', '5'])).stdout).toBe(asDebug.stdout);
    expect((await logs(['--level', 'warning', '--limit', '5'])).stdout).toBe(
      (await logs(['--level', 'warn', '--limit', '5'])).stdout,
    );
    const refused = await logs(['--level', 'loud']);
    expect([refused.code, refused.stderr]).toEqual([
      2,
      'velos: --level: expected one of fatal, error, warn, info, debug (or trace, warning, critical), got "loud"\n',
    ]);
  });

  it('needs a view or a filter, and refuses bad flags before it reads stdin', async () => {
    const bare = await logs([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^velos: velos logs - reads stdin for the log engine: add --summary/);
    const period = await logs(['--grep', 'x', '--period', '1h']);
    expect(period.stderr).toBe('velos: --period goes with --summary, --patterns, --dedupe or --anomalies\n');
    const regex = await logs(['--grep', '(']);
    expect(regex.code).toBe(2);
    expect(regex.stderr).toMatch(/^velos: --grep: /);
    expect(readdirSync(scratch)).toEqual([]);
    expect(existsSync(home)).toBe(false);
  });

  it('reads a last line that has no newline, as velos-log does', async () => {
    const input = 'a one\nb two\nc three';
    const dedupe = await logs(['--dedupe'], input);
    expect(dedupe.code).toBe(0);
    expect(dedupe.stdout.trimEnd().split('\n')).toEqual(['a one', 'b two', 'c three']);
    expect((await logs(['--grep', 'three'], input)).stdout).toBe('stdin | c three\n');
    expect((await logs(['--grep', 'three', '--raw'], `${input}\r`)).stdout).toBe('c three\n');
    expect(JSON.parse((await logs(['--summary', '--json'], input)).stdout).summary.lines).toBe(3);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('filters by the time written in each line, the one the summary uses', async () => {
    const input = ticks([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const since = await logs(['--since', '1d', '--lines', '20'], input);
    expect(since.code).toBe(0);
    expect(tickNumbers(since.stdout)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(tickNumbers((await logs(['--until', '5m'], input)).stdout)).toEqual([10, 9, 8, 7, 6, 5]);
    expect(tickNumbers((await logs(['--since', '150s', '--until', '30s'], input)).stdout)).toEqual([2, 1]);
    // each match keeps the time written in it
    const json = (await logs(['--since', '3m', '--json'], input)).stdout.trim().split('\n');
    const first = JSON.parse(json[0]!);
    expect(new Date(first.ts).toISOString()).toBe(input.split('\n')[8]!.split(' ')[0]);
    // a view counts the same lines
    const period = JSON.parse((await logs(['--summary', '--period', '1h', '--json'], input)).stdout);
    expect(period.summary.lines).toBe(11);
    const recent = JSON.parse((await logs(['--summary', '--since', '270s', '--json'], input)).stdout);
    expect(recent.summary.lines).toBe(5);
    const old = JSON.parse((await logs(['--patterns', '--until', '5m', '--json'], input)).stdout);
    expect(old.patterns[0]).toMatchObject({ count: 6 });
    const dedupe = await logs(['--dedupe', '--since', '90s'], input);
    expect(dedupe.stdout).toMatch(/INFO tick <num> \(x2, /);
  });

  it('gives a line without a time the time of the line before it; lines before the first time have none', async () => {
    const now = Date.now();
    const at = (ago: number) => new Date(now - ago * 60_000).toISOString();
    const input = [
      'starting up',
      `${at(30)} INFO old request`,
      `${at(2)} ERROR request failed`,
      'Error: boom',
      '    at handler (app.js:10:5)',
      `${at(1)} INFO new request`,
      '',
    ].join('\n');
    const since = await logs(['--since', '10m'], input);
    expect(since.stdout.split('\n').filter(Boolean)).toEqual([
      `stdin | ${at(2)} ERROR request failed`,
      'stdin | Error: boom',
      'stdin |     at handler (app.js:10:5)',
      `stdin | ${at(1)} INFO new request`,
    ]);
    const until = await logs(['--until', '10m'], input);
    expect(until.stdout).toBe(`stdin | ${at(30)} INFO old request\n`);
    const summary = JSON.parse((await logs(['--summary', '--since', '10m', '--json'], input)).stdout);
    expect(summary.summary.levels).toEqual({ error: 1, info: 1 });
    // --json gives each line that time, with or without a range (it said 0 for every line without one)
    const times = (args: string[]) =>
      logs([...args, '--json'], input).then(({ stdout }) =>
        stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { ts: number }).ts),
      );
    const ms = (ago: number) => Date.parse(at(ago));
    expect(await times(['--grep', '.'])).toEqual([0, ms(30), ms(2), ms(2), ms(2), ms(1)]);
    expect(await times(['--since', '10m'])).toEqual([ms(2), ms(2), ms(2), ms(1)]);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`deletes its temporary file when ${signal} stops it, and dies of the signal`, async () => {
      const own = join(scratch, signal);
      mkdirSync(own);
      const child = spawnVelos(['logs', '-', '--summary'], { home, cwd: dir, env: { TMPDIR: own } });
      const exited = once(child, 'exit');
      child.stdin!.write('2026-12-01T10:00:00Z INFO a line\n');
      // the file exists once stdin is being read into it
      await waitFor(() => readdirSync(own).length > 0, { what: 'the temporary directory' });
      child.kill(signal);
      const [code, killedBy] = await exited;
      expect({ code, killedBy }).toEqual({ code: null, killedBy: signal });
      expect(readdirSync(own)).toEqual([]);
      rmSync(own, { recursive: true });
    });
  }
});
