import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isContinuationLine } from '@velos/log-engine';
import { afterAll, describe, expect, it } from 'vitest';
import { ANALYZE_SAMPLE_LINES, analyzeLogs } from '../../src/log-insights/log-analyze.js';
import { searchLogs } from '../../src/log-insights/log-search.js';
import type { LogQueryTarget } from '../../src/log-insights/log-target.js';
import { plainTarget } from './query-target.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An app whose out file holds `lines` info lines with three error lines at 100k, 200k and 250k. */
function flood(lines: number): LogQueryTarget {
  const out: string[] = [];
  for (let i = 0; i < lines; i += 1) {
    if (i === 100_000 || i === 200_000 || i === 250_000) out.push(`ERROR payment gateway rejected txn ${i}`);
    out.push(`INFO req ${i} ok in ${i % 97}ms`);
  }
  return fileTarget(`flood-${lines}`, 'flood', out, []);
}

/** An app `name` whose out and err files (written under `file`) hold these lines, after `prefix` each. */
function fileTarget(
  file: string,
  name: string,
  out: string[],
  err: string[],
  prefix?: { text: string; dateFormat: string },
): LogQueryTarget {
  const write = (lines: string[]) => lines.map((line) => `${prefix?.text ?? ''}${line}\n`).join('');
  const outPath = join(dir, `${file}.log`);
  writeFileSync(outPath, write(out));
  const errPath = join(dir, `${file}-err.log`);
  writeFileSync(errPath, write(err));
  return plainTarget(name, outPath, errPath, prefix?.dateFormat);
}

describe('analyzeLogs on a sampled range', () => {
  const target = flood(300_000);

  it('counts the rare errors exactly, every time, and shows the newest as the last error', async () => {
    for (let run = 0; run < 3; run += 1) {
      const result = await analyzeLogs(target, { target: 'flood', view: 'summary', limit: 10 });
      expect(result.sampleRate).toBeLessThan(1);
      expect(result.analyzedLines).toBeLessThan(ANALYZE_SAMPLE_LINES * 1.2);
      const summary = result.summary!;
      expect(summary.levels.error).toBe(3);
      expect(summary.lastError?.message).toBe('ERROR payment gateway rejected txn 250000');
      const errorTemplate = summary.top.find((p) => p.level === 'error');
      expect(errorTemplate?.count).toBe(3);
      const info = summary.levels.info ?? 0;
      expect(Math.abs(info - 300_000) / 300_000).toBeLessThan(0.05);
      // every line was counted as it was read: the total is exact, not the sample's estimate
      expect(summary.lines).toBe(result.scanned.lines);
      expect(summary.lines).toBe(300_003);
      // the estimated levels add up, with the counted errors, to the lines read (not 299,6xx or 300,4xx)
      const events = Object.values(summary.levels).reduce((sum, count) => sum + (count ?? 0), 0);
      expect(events + (summary.continuationLines ?? 0)).toBe(300_003);
      expect(result.text).toContain('every error and fatal line');
    }
  }, 60_000);

  it('gives the error templates exact counts in the patterns view', async () => {
    const result = await analyzeLogs(target, { target: 'flood', view: 'patterns', limit: 10 });
    expect(result.patterns?.find((p) => p.level === 'error')?.count).toBe(3);
  }, 60_000);

  it('finds only the errors with --level error', async () => {
    const result = await analyzeLogs(target, { target: 'flood', view: 'summary', level: 'error' });
    expect(result.summary?.levels).toEqual({ error: 3 });
  }, 60_000);
});

/** A Node app that logs 100k lines, 34 caught errors with their stacks on stderr, then crashes. */
function crashy(lines: number): LogQueryTarget {
  const out: string[] = [];
  for (let i = 0; i < lines; i += 1) out.push(`tick ${i} processed ${i % 13} items`);
  const err: string[] = [];
  for (let i = 0; i < 34; i += 1) {
    err.push(`Error: db pool exhausted (size 10, waiting ${i})`);
    err.push('    at Pool.acquire (/srv/app/pool.js:41:13)');
    err.push('    at process.processTimers (node:internal/timers:519:7)');
    err.push('');
  }
  // a deep trace: a sample that kept some of its frames must still show the top one
  err.push('Error: render failed: template missing');
  for (let depth = 0; depth < 40; depth += 1)
    err.push(`    at render${depth} (/srv/app/view.js:${depth + 1}:5)`);
  err.push(
    '/srv/app/index.js:12',
    "    throw new Error('boom after flood');",
    '    ^',
    '',
    'Error: boom after flood',
    '    at Timeout._onTimeout (/srv/app/index.js:12:11)',
    '    at listOnTimeout (node:internal/timers:573:17)',
    '    at process.processTimers (node:internal/timers:514:7)',
    '',
    'Node.js v20.11.0',
  );
  return fileTarget(`crashy-${lines}`, 'crashy', out, err);
}

describe('analyzeLogs on multi-line errors', () => {
  for (const lines of [3_000, 200_000]) {
    it(`counts each error once, its stack apart, the crash as the last error (${lines} lines)`, async () => {
      const target = crashy(lines);
      const result = await analyzeLogs(target, { target: 'crashy', view: 'summary', limit: 5 });
      expect(result.sampleRate < 1).toBe(lines > 100_000);
      const summary = result.summary!;
      expect(summary.levels.error).toBe(36);
      expect(summary.levels.fatal).toBeUndefined();
      expect(summary.lastError?.message).toBe('Error: boom after flood');
      expect(summary.errors?.map((p) => p.template)).toContain('Error: boom after flood');
      for (const p of summary.top) expect(p.template.trim()).not.toMatch(/^(?:at .*)?$/);
      // each error shows the top frame of its trace, a sample's too (not a deeper frame it happened to keep)
      const frames = Object.fromEntries(
        [...summary.top, ...(summary.errors ?? [])].map((p) => [p.template, p.frame]),
      );
      expect(frames['Error: boom after flood']).toBe('at Timeout._onTimeout (/srv/app/index.js:12:11)');
      const pool = Object.entries(frames).find(([template]) =>
        template.startsWith('Error: db pool exhausted'),
      );
      expect(pool?.[1]).toBe('at Pool.acquire (/srv/app/pool.js:41:13)');
      expect(frames['Error: render failed: template missing']).toBe('at render0 (/srv/app/view.js:1:5)');
      // 34 × 3, the deep trace's 40 and the crash's 7 (its throw line, caret, frames and blank lines)
      if (result.sampleRate === 1) expect(summary.continuationLines).toBe(34 * 3 + 40 + 7);
      expect(result.text).toMatch(/last error[^\n]*: Error: boom after flood/);
      // `--level error` shows the same error events, each with its stack
      const shown = await searchLogs(target, { target: 'crashy', level: 'error', limit: 1000 });
      const events = shown.lines.filter((l) => !isContinuationLine(l.line));
      expect(events).toHaveLength(36);
      expect(events.at(-1)?.line).toBe('Error: boom after flood');
      expect(shown.lines.some((l) => l.line.startsWith('    at Timeout._onTimeout'))).toBe(true);
      expect(shown.lines.some((l) => l.line.startsWith('    throw new Error'))).toBe(false);
    }, 60_000);
  }
});

/**
 * A Java app logging `lines` info lines with 40 errors logged with their exception (log4j), one error
 * without and one exception printed alone, on stdout; and 34 Python `logging.exception` errors on
 * stderr (a chained one).
 */
function loggedExceptions(lines: number, prefix?: { text: string; dateFormat: string }): LogQueryTarget {
  const out: string[] = [];
  for (let i = 0; i < lines; i += 1) {
    out.push(`2026-12-03 10:00:00 INFO [main] c.x.Api - req ${i} ok in ${i % 97}ms`);
    if (i % Math.floor(lines / 40) === 7) {
      out.push(
        `2026-12-03 10:00:00 ERROR [main] c.x.Pay - payment ${i} failed`,
        'java.lang.IllegalStateException: card declined',
        '\tat c.x.Pay.charge(Pay.java:12)',
        'Caused by: java.io.IOException: connection reset',
        '\t... 3 more',
      );
    }
  }
  // an error without an exception, then an exception printed alone a few lines after it
  out.splice(
    1000,
    0,
    '2026-12-03 10:00:00 ERROR [main] c.x.Api - slow upstream',
    '2026-12-03 10:00:00 INFO [main] c.x.Api - retrying',
    '2026-12-03 10:00:00 INFO [main] c.x.Api - retried',
    'java.lang.IllegalStateException: orphan',
    '\tat c.x.Orphan.run(Orphan.java:3)',
  );
  const err: string[] = [];
  for (let i = 0; i < 34; i += 1) {
    err.push(`ERROR:root:payment ${i} failed`, 'Traceback (most recent call last):');
    err.push('  File "/srv/pay.py", line 10, in charge', '    raise ValueError("bad card")');
    if (i === 20) {
      err.push(
        "KeyError: 'card'",
        '',
        'During handling of the above exception, another exception occurred:',
        '',
      );
      err.push('Traceback (most recent call last):', '  File "/srv/pay.py", line 12, in charge');
    }
    err.push('ValueError: bad card');
  }
  return fileTarget(`logged-${lines}-${prefix ? 'prefixed' : 'plain'}`, 'logged', out, err, prefix);
}

describe('analyzeLogs on exceptions logged under an error line', () => {
  const prefix = { text: '2026-12-03 10:00:00 ', dateFormat: 'YYYY-MM-DD HH:mm:ss' };
  for (const [lines, withPrefix] of [
    [3_000, false],
    [120_000, false],
    [3_000, true],
    [120_000, true],
  ] as const) {
    it(`counts one error per logged error (${lines} lines${withPrefix ? ', log_date_format' : ''})`, async () => {
      const target = loggedExceptions(lines, withPrefix ? prefix : undefined);
      const result = await analyzeLogs(target, { target: 'logged', view: 'summary', limit: 5 });
      expect(result.sampleRate < 1).toBe(lines > 100_000);
      const summary = result.summary!;
      expect(summary.levels.error).toBe(40 + 2 + 34);
      expect(summary.errors?.map((p) => p.template).join('\n')).not.toMatch(/ValueError|card declined$/m);
      if (result.sampleRate === 1) expect(summary.continuationLines).toBe(40 * 4 + 1 + 33 * 4 + 10);
    }, 60_000);
  }

  it('judges a line --grep keeps with the lines it leaves out', async () => {
    const target = loggedExceptions(3_000);
    const grep = 'IllegalState|slow upstream';
    const result = await analyzeLogs(target, { target: 'logged', view: 'summary', grep });
    // the 40 exceptions under an ERROR line are part of it; the one printed alone is an error
    expect(result.summary?.levels).toEqual({ error: 2 });
  });
});

describe('searchLogs --level on lines behind a time prefix', () => {
  it('gives a stack frame the level of its event, as without the prefix', async () => {
    const crash = [
      'server listening',
      '/srv/app/index.js:12',
      "    throw new Error('boom');",
      '    ^',
      '',
      'Error: boom',
      '    at Timeout._onTimeout (/srv/app/index.js:12:11)',
    ];
    const prefix = { text: '2026-12-03 10:00:00 ', dateFormat: 'YYYY-MM-DD HH:mm:ss' };
    const target = fileTarget('prefixed-crash', 'crash', [], crash, prefix);
    const shown = await searchLogs(target, { target: 'crash', level: 'error' });
    expect(shown.lines.map((l) => l.line)).toEqual([
      'Error: boom',
      '    at Timeout._onTimeout (/srv/app/index.js:12:11)',
    ]);
  });
});

describe('analyzeLogs: a template whose lines are not all errors', () => {
  it('carries its error lines (errorCount) in the summary, the patterns and their text', async () => {
    const out: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      out.push(`GET /api/orders/${i} HTTP/1.1 ${i % 5 === 0 ? 503 : 200} ${i % 40}ms`);
      if (i % 4 === 0) out.push(`INFO tick ${i}`);
    }
    const target = fileTarget('mixed-status', 'shop', out, []);
    const summary = await analyzeLogs(target, { target: 'shop', view: 'summary' });
    const requests = summary.summary!.top.find((p) => p.template.startsWith('GET'));
    expect(requests).toMatchObject({ count: 200, level: 'error', errorCount: 40 });
    // the list of error templates counts their error lines only
    expect(summary.summary!.errors?.[0]).toMatchObject({ count: 40, level: 'error' });
    expect(summary.text).toContain('200× [40 error] GET');
    const patterns = await analyzeLogs(target, { target: 'shop', view: 'patterns' });
    expect(patterns.patterns?.find((p) => p.template.startsWith('GET'))?.errorCount).toBe(40);
    expect(patterns.text).toContain('200× [40 error] GET');
    expect(patterns.patterns?.find((p) => p.template.startsWith('INFO'))).not.toHaveProperty('errorCount');
  });

  it('counts the templates the limit leaves out of the patterns view, as dedupe and anomalies do', async () => {
    const out = ['INFO tick 1', 'INFO tick 2', 'INFO tick 3', 'WARN disk at 91%', 'ERROR db down', 'ready'];
    const target = fileTarget('three-templates', 'few', out, []);
    const cut = await analyzeLogs(target, { target: 'few', view: 'patterns', limit: 1 });
    expect(cut.patterns?.map((p) => p.count)).toEqual([3]);
    expect(cut.omitted).toBe(3);
    expect(cut.text).toContain('(3 more not shown: raise --limit)');
    const whole = await analyzeLogs(target, { target: 'few', view: 'patterns', limit: 4 });
    expect(whole.patterns).toHaveLength(4);
    expect(whole).not.toHaveProperty('omitted');
  });
});

describe('analyzeLogs: the window of a summary', () => {
  it('heads its text with the period asked, or `all lines` without one (log_summary reads 1h)', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const target = fileTarget('window', 'win', [`${at} INFO up`, `${at} ERROR down`], []);
    const all = await analyzeLogs(target, { target: 'win', view: 'summary' });
    expect(all.text).toMatch(/^all lines · .* · 2 lines · /);
    const hour = await analyzeLogs(target, { target: 'win', view: 'summary', periodMs: 3_600_000 });
    expect(hour.text).toMatch(/^last 1h · /);
    // a --since range is the one asked, not named again
    const since = await analyzeLogs(target, { target: 'win', view: 'summary', since: Date.now() - 120_000 });
    expect(since.text).not.toMatch(/^(all lines|last)/);
    // the other views have no such header
    expect((await analyzeLogs(target, { target: 'win', view: 'patterns' })).text).not.toContain('all lines');
  });
});

describe('analyzeLogs over several apps', () => {
  const noisy = flood(300_000);
  const quiet = fileTarget(
    'quiet',
    'quiet',
    Array.from({ length: 1000 }, (_, i) =>
      i % 10 === 0 ? `ERROR cache refused key ${i}` : `INFO tick ${i}`,
    ),
    [],
  );

  it("shares one sample, counts each app's errors exactly, and keeps a quiet app's errors its own", async () => {
    const result = await analyzeLogs([noisy, quiet], { target: 'all', view: 'summary', limit: 10 });
    expect(result.app).toBe('all');
    // one sample over both apps: its size bounded as for one app
    expect(result.sampleRate).toBeLessThan(1);
    expect(result.analyzedLines).toBeLessThan(ANALYZE_SAMPLE_LINES * 1.2 + 200);
    const [flooded, calm] = result.apps!;
    expect(flooded).toMatchObject({ name: 'flood', levels: { error: 3 } });
    expect(calm).toMatchObject({ name: 'quiet', levels: { error: 100 } });
    expect(result.summary!.levels.error).toBe(103);
    expect(flooded!.lines + calm!.lines).toBe(result.summary!.lines);
    // a tenth of the quiet app's lines are errors: its health says so, the flood's does not
    expect(calm!.health).toBeLessThan(flooded!.health);
    const refused = result.summary!.errors!.find((p) => p.template.startsWith('ERROR cache refused'));
    expect(refused).toMatchObject({ count: 100, apps: ['quiet'] });
    const rejected = result.summary!.errors!.find((p) => p.template.startsWith('ERROR payment'));
    expect(rejected).toMatchObject({ count: 3, apps: ['flood'] });
    expect(result.text).toMatch(/^apps: flood {2}[\d,]+ lines · 3 error · health \d+\/100$/m);
  });

  it("says '1 line' of an app that wrote one", async () => {
    const one = fileTarget('one-line', 'single', ['INFO started'], []);
    const two = fileTarget('two-lines', 'double', ['INFO started', 'INFO ready'], []);
    const result = await analyzeLogs([one, two], { target: 'all', view: 'summary', limit: 10 });
    expect(result.text).toMatch(/ single {2}1 line · health \d+\/100$/m);
    expect(result.text).toMatch(/ double {2}2 lines · health/);
  });

  it('answers a target that selects no app (`all` before any start) with an empty view of each kind', async () => {
    for (const view of ['summary', 'patterns', 'anomalies', 'dedupe'] as const) {
      const result = await analyzeLogs([], { target: 'all', view, limit: 10 });
      expect(result).toMatchObject({ app: 'all', view, scanned: { lines: 0, files: [] } });
      expect(result.scanned.isPartial).toBeUndefined();
    }
    const summary = await analyzeLogs([], { target: 'all', view: 'summary', level: 'error' });
    expect(summary.summary).toMatchObject({ lines: 0, levels: {}, top: [] });
    expect((await searchLogs([], { target: 'all', level: 'error' })).lines).toEqual([]);
  });

  it('collapses each app apart in dedupe, and names the apps of each pattern', async () => {
    const dedupe = await analyzeLogs(
      [quiet, fileTarget('quiet-2', 'quiet-2', ['INFO tick 1', 'INFO tick 2'], [])],
      {
        target: '/^quiet/',
        view: 'dedupe',
        limit: 10,
      },
    );
    const ticks = dedupe.dedupe!.filter((entry) => entry.template.startsWith('INFO tick'));
    expect(ticks.map((entry) => [entry.app, entry.count])).toEqual([
      ['quiet', 900],
      ['quiet-2', 2],
    ]);
  });

  it('names the app of every dedupe entry in the text, a line seen once too', async () => {
    const dedupe = await analyzeLogs(
      [
        fileTarget('once-a', 'once-a', ['WARN disk almost full', 'INFO tick 1', 'INFO tick 2'], []),
        fileTarget('once-b', 'once-b', ['started in 12 ms'], []),
      ],
      { target: '/^once-/', view: 'dedupe', limit: 10 },
    );
    const lines = dedupe.text.split('\n');
    expect(lines).toContain('once-a | WARN disk almost full');
    expect(lines).toContain('once-b | started in 12 ms');
    expect(lines.some((line) => /^once-a \| INFO tick <num> \(x2, /.test(line))).toBe(true);
  });
});
