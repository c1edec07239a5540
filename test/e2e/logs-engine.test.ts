import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import type { LogsAnalyzeResult, VelosEvent } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  describeState,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

/** The shares (per 100 lines) fixtures/log-mix.js writes, as the engine's templates. */
const MIX = [
  ['GET <path> <num> <dur>', 35],
  ['cache hit for key user:<num>', 20],
  ['WARN slow query took <dur> on table orders', 15],
  ['worker <num> processed batch <uuid> in <dur>', 10],
  ['ERROR payment failed for order <num>: card declined', 8],
  ['upstream timeout after <dur>', 7],
  ['ERROR db connection failed: connect ECONNREFUSED <ip>', 5],
] as const;
/** Enough for every share to come within 1 % of MIX's (log-mix.js is seeded: the same lines each run). */
const LINES = 20_000;

let home: string;

/** Lines captured of `name`, over the daemon's socket (polled: no CLI process each time). */
async function captured(name: string): Promise<number> {
  const [info] = await describeState(home, name);
  return (info?.logLines.out ?? 0) + (info?.logLines.err ?? 0);
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse((await velosOk(args, { home })).stdout) as T;
}

beforeAll(async () => {
  home = createHome();
  await velosOk(['start', 'fixtures/log-mix.js', '--name', 'mix'], {
    home,
    env: { COUNT: String(LINES), STAY: '1' },
  });
  await waitFor(async () => (await captured('mix')) >= LINES, {
    timeoutMs: 60_000,
    message: 'the mix captured',
  });
  // for the error-burst test, started now so that their lead-in runs beside the other tests: 100 lines
  // (20 errors), 20.5 s without a line, then 300 errors (the engine compares the last 10 s with at least
  // 10 s of history before them, so a burst is found 20 s or more after the app's first line)
  const env = { COUNT: '100', BURST: '300', BURST_AFTER_MS: '20500', STAY: '1' };
  await velosOk(['start', 'fixtures/log-mix.js', '--name', 'burst'], { home, env });
  await velosOk(['start', 'fixtures/log-mix.js', '--name', 'quiet', '--no-log-engine'], { home, env });
}, 90_000);

afterAll(cleanupHomes, 60_000);

describe('the log engine in the daemon (velos logs <app> --summary …)', () => {
  it('summarises the app: its top patterns are the fixture templates, in their proportions', async () => {
    const result = await json<LogsAnalyzeResult>(['logs', 'mix', '--summary', '--json']);
    expect(result.sampleRate).toBe(1);
    expect(result.scanned.lines).toBe(LINES);
    const summary = result.summary!;
    expect(summary.lines).toBe(LINES);
    expect(summary.top.map((pattern) => pattern.template)).toEqual(
      MIX.slice(0, 5).map(([template]) => template),
    );
    for (const pattern of summary.top) {
      const share = MIX.find(([template]) => template === pattern.template)![1];
      expect(Math.abs((pattern.count / LINES) * 100 - share), pattern.template).toBeLessThan(1);
    }
    expect(summary.levels.error).toBeGreaterThan(LINES * 0.15);
    // the last error is a message: a JSON line's msg, never the raw JSON
    expect(summary.lastError?.message).toMatch(/^(ERROR |upstream timeout)/);
    expect(summary.period!.to).toBeGreaterThanOrEqual(summary.period!.from);

    const text = (await velosOk(['logs', 'mix', '--summary', '--period', '1h'], { home })).stdout;
    expect(text).toMatch(/^last 1h · .*20,000 lines · \d+ templates · health \d+\/100/);
    expect(text).toContain(`top: ${summary.top[0]!.count.toLocaleString('en-US')}× `);
    expect(text).toMatch(/last error [\d:]+: (ERROR |upstream timeout)/);
    expect(text).not.toContain('{"level"');

    // the short keys of the MCP tool log_summary (docs/ai-output.md), a fraction of --json
    const ai = await json<{ app: string; n: number; h: number; top: { t: string; c: number }[] }>([
      'logs',
      'mix',
      '--summary',
      '--period',
      '1h',
      '--ai',
    ]);
    expect(ai).not.toHaveProperty('text');
    expect(ai).not.toHaveProperty('summary');
    expect(ai).toMatchObject({ app: 'mix', per: '1h', n: LINES, h: summary.health });
    expect(ai.top.map((pattern) => pattern.t)).toEqual(summary.top.map((pattern) => pattern.template));
    expect(JSON.stringify(ai).length).toBeLessThan(JSON.stringify(result).length / 2);
    // without --period every captured line, where log_summary reads 1h: the answer says which
    const all = await json<{ per?: string; n: number }>(['logs', 'mix', '--summary', '--ai']);
    expect(all).toMatchObject({ per: 'all', n: LINES });
  });

  it('lists patterns, dedupes and reports anomalies, each as text, --json and --ai', async () => {
    const patterns = await json<LogsAnalyzeResult>(['logs', 'mix', '--patterns', '--limit', '3', '--json']);
    expect(patterns.patterns!.map((p) => p.template)).toEqual(MIX.slice(0, 3).map(([t]) => t));
    // the templates --limit leaves out are counted, as --dedupe and --anomalies count theirs
    expect(patterns.omitted).toBe(MIX.length - 3);
    const patternsText = (await velosOk(['logs', 'mix', '--patterns', '--limit', '2'], { home })).stdout;
    expect(patternsText.trim().split('\n')).toHaveLength(3);
    expect(patternsText).toContain('× GET <path> <num> <dur>');
    expect(patternsText.trim().split('\n')[2]).toBe(`(${MIX.length - 2} more not shown: raise --limit)`);
    // --ai in the keys of the MCP tool log_summary: a pattern as one of its top templates
    type AiTemplate = { t: string; c: number; l: string };
    const patternsAi = await json<{ app: string; n: number; top: AiTemplate[] }>([
      'logs',
      'mix',
      '--patterns',
      '--limit',
      '3',
      '--ai',
    ]);
    expect(patternsAi).toMatchObject({ app: 'mix', per: 'all', n: LINES, omitted: MIX.length - 3 });
    expect(patternsAi).not.toHaveProperty('patterns');
    const summaryAi = await json<{ top: AiTemplate[] }>(['logs', 'mix', '--summary', '--ai']);
    expect(patternsAi.top).toEqual(summaryAi.top.slice(0, 3));

    const dedupe = await json<LogsAnalyzeResult>(['logs', 'mix', '--dedupe', '--limit', '50', '--json']);
    expect(dedupe.dedupe!.length).toBeGreaterThanOrEqual(7);
    expect(dedupe.dedupe!.some((entry) => entry.template === MIX[0][0] && entry.count > 1000)).toBe(true);
    const dedupeText = (await velosOk(['logs', 'mix', '--dedupe'], { home })).stdout;
    expect(dedupeText).toMatch(/GET <path> <num> <dur> \(x\d+, first [\d:]+, last [\d:]+\)/);
    const dedupeAi = await json<{ dd: { t: string; c: number; m: string }[] }>([
      'logs',
      'mix',
      '--dedupe',
      '--ai',
    ]);
    expect(dedupeAi.dd.some((entry) => entry.t === MIX[0][0] && entry.c > 1000)).toBe(true);

    const anomalies = await json<LogsAnalyzeResult>(['logs', 'mix', '--anomalies', '--json']);
    expect(Array.isArray(anomalies.anomalies)).toBe(true);
    const anomaliesText = (await velosOk(['logs', 'mix', '--anomalies'], { home })).stdout;
    expect(anomaliesText).toMatch(/no anomalies|error rate|volume/);
    const anomaliesAi = await json<{ app: string; an?: { k: string }[] }>([
      'logs',
      'mix',
      '--anomalies',
      '--ai',
    ]);
    expect(anomaliesAi).toMatchObject({ app: 'mix', n: LINES });
    expect(anomaliesAi.an?.length ?? 0).toBe(anomalies.anomalies!.length);
  });

  it('searches by level and regex (text, --json, --ai); an invalid or unsafe regex is a one-line error', async () => {
    const errors = (
      await velosOk(['logs', 'mix', '--level', 'error', '--lines', '5', '--json'], { home })
    ).stdout
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as { line: string; ts: number });
    expect(errors).toHaveLength(5);
    for (const line of errors) expect(line.line).toMatch(/ERROR|"level":"error"/);
    expect(errors[4]!.ts).toBeGreaterThan(Date.now() - 10 * 60_000);

    const grep = (
      await velosOk(['logs', 'mix', '--grep', 'ECONNREFUSED 10\\.0\\.0\\.\\d+:5432', '--lines', '3'], {
        home,
      })
    ).stdout
      .trim()
      .split('\n');
    expect(grep).toHaveLength(3);
    for (const line of grep)
      expect(line).toMatch(/^mix \| ERROR db connection failed: connect ECONNREFUSED 10\.0\.0\.\d+:5432$/);

    const ai = await json<{ lines: { t: string; m: string }[]; scanned: number }>([
      'logs',
      'mix',
      '--grep',
      'card declined',
      '--level',
      'error',
      '--lines',
      '2',
      '--ai',
    ]);
    expect(ai.lines).toHaveLength(2);
    expect(ai.lines[0]!.m).toContain('card declined');
    expect(ai.scanned).toBeGreaterThan(1000);

    const invalid = await velos(['logs', 'mix', '--grep', '(unclosed'], { home });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
    expect(invalid.stderr).toContain('--grep: invalid regular expression');

    const unsafe = await velos(['logs', 'mix', '--summary', '--grep', '(a+)\\1'], { home });
    expect(unsafe.code).not.toBe(0);
    expect(unsafe.stderr).toContain('velos: --grep: backreferences');
    // catastrophic backtracking on V8's backtracking engine; the daemon reruns it in linear time
    const started = Date.now();
    const nested = await velosOk(['logs', 'mix', '--grep', '^(\\w+\\s?)*$', '--lines', '1'], { home });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(nested.code).toBe(0);
  });

  it('selects lines by --since/--until from the time index, rotated and gzipped files included', async () => {
    const args = ['start', 'fixtures/chatty.js', '--name', 'rot', '--log-max-size', '64K'];
    await velosOk(args, { home, env: { COUNT: '2000', RATE: '0', PAD: '100', STAY: '1' } });
    await waitFor(async () => (await captured('rot')) >= 2000, { message: 'phase one captured' });
    const between = Date.now() + 1000;
    await waitFor(() => Date.now() > between + 2100, { timeoutMs: 10_000, message: 'a pause' });
    await velosOk(['restart', 'rot'], { home });
    await waitFor(async () => (await captured('rot')) >= 4000, { message: 'phase two captured' });
    await waitFor(() => readdirSync(join(home, 'logs')).some((name) => /^rot-out\..*\.log\.gz$/.test(name)), {
      message: 'a gzipped rotated file',
    });

    const first = ['logs', 'rot', '--grep', '^line 1 ', '--json'];
    const before = (await velosOk([...first, '--until', new Date(between).toISOString()], { home })).stdout;
    const after = (await velosOk([...first, '--since', new Date(between).toISOString()], { home })).stdout;
    const all = (await velosOk(first, { home })).stdout;
    const tsOf = (text: string) =>
      text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((t) => (JSON.parse(t) as { ts: number }).ts);
    expect(tsOf(all)).toHaveLength(2);
    expect(tsOf(before)).toHaveLength(1);
    expect(tsOf(before)[0]).toBeLessThan(between);
    expect(tsOf(after)).toHaveLength(1);
    expect(tsOf(after)[0]).toBeGreaterThan(between);

    // a query writes the entries still in memory: the index of the file and of its rotated siblings
    expect(existsSync(join(home, 'logs', 'rot-out.log.tidx'))).toBe(true);
    expect(readdirSync(join(home, 'logs')).some((name) => /^rot-out\..*\.log\.tidx$/.test(name))).toBe(true);
    const recent = await json<LogsAnalyzeResult>(['logs', 'rot', '--summary', '--since', '1d', '--json']);
    expect(recent.summary!.lines).toBe(4000);
    expect(recent.scanned.files.some((file) => file.endsWith('.gz'))).toBe(true);
    const window = await json<LogsAnalyzeResult>([
      'logs',
      'rot',
      '--summary',
      '--since',
      new Date(between).toISOString(),
      '--json',
    ]);
    expect(window.summary!.lines).toBe(2000);
  });

  it('raises log.error_burst on the bus; an app that opted out raises none and still answers', async () => {
    const client = createClient({ home });
    try {
      const events = await waitFor(
        async () => {
          const found = await client.events({ kinds: ['log.error_burst'], target: 'burst' });
          return found.events.length > 0 ? found.events : null;
        },
        { timeoutMs: 30_000, message: 'a log.error_burst event of burst' },
      );
      const burst = events[0] as VelosEvent;
      expect(burst).toMatchObject({ kind: 'log.error_burst', app: 'burst', severity: 'error' });
      expect(burst.fields!.errors).toBeGreaterThanOrEqual(50);
      expect(String(burst.fields!.sample)).toContain('checkout crashed');
      expect(String(burst.fields!.template)).toContain('checkout crashed');
      expect(burst.fields).toHaveProperty('baseline');

      await waitFor(async () => (await captured('quiet')) >= 400, {
        message: 'the opted-out burst captured',
      });
      const quiet = await client.events({ kinds: ['log'], target: 'quiet' });
      expect(quiet.events).toEqual([]);
    } finally {
      await client.close();
    }
    const summary = await json<LogsAnalyzeResult>(['logs', 'quiet', '--summary', '--json']);
    expect(summary.summary!.lines).toBe(400);
    expect(summary.summary!.lastError?.message).toContain('checkout crashed');
    const spec = (await describeState(home, 'quiet'))[0]!.spec;
    expect(spec.logEngine).toBe(false);
  });

  it('shows the error lines of a template whose lines are not all errors (200× [40 error] GET …)', async () => {
    await velosOk(['start', 'fixtures/access-statuses.js', '--name', 'shop'], { home });
    await waitFor(async () => (await captured('shop')) >= 200, { message: 'the access lines captured' });
    const result = await json<LogsAnalyzeResult>(['logs', 'shop', '--summary', '--json']);
    expect(result.summary!.top[0]).toMatchObject({ count: 200, level: 'error', errorCount: 40 });
    const text = (await velosOk(['logs', 'shop', '--summary'], { home })).stdout;
    expect(text).toContain('200× [40 error] GET ');
    const patterns = (await velosOk(['logs', 'shop', '--patterns'], { home })).stdout;
    expect(patterns).toContain('200× [40 error] GET');
  });

  it("summarises a target of several apps: the merged summary and each app's share", async () => {
    const result = await json<LogsAnalyzeResult>(['logs', 'all', '--summary', '--json']);
    expect(result.app).toBe('all');
    const names = result.apps!.map((app) => app.name);
    expect(names).toContain('mix');
    expect(names).toContain('shop');
    expect(result.apps!.reduce((sum, app) => sum + app.lines, 0)).toBe(result.summary!.lines);
  });

  it('calls an errored app errored, h 0 and s err, however quiet its logs were over the period', async () => {
    // crashes at once, twice: errored (restarts gave up), its one crash and lines older than the period
    await velosOk(['start', 'fixtures/crash-after.js', '--name', 'down', '--max-restarts', '1'], {
      home,
      env: { CRASH_AFTER_MS: '10' },
    });
    await waitForStatus(home, 'down', 'errored');
    const ai = await json<{ h: number; s?: string }>([
      'logs',
      'down',
      '--summary',
      '--period',
      '10s',
      '--ai',
    ]);
    expect([ai.h, ai.s]).toEqual([0, 'err']);
    const text = (await velosOk(['logs', 'down', '--summary', '--period', '10s'], { home })).stdout;
    expect(text).toContain(
      'status: its process is errored (restarts gave up): health is 0, whatever the logs say',
    );
    // over several apps: its share says so, the others' health is theirs
    const all = await json<{ s?: string; apps: { a: string; h: number; s?: string }[] }>([
      'logs',
      'all',
      '--summary',
      '--period',
      '10s',
      '--ai',
    ]);
    expect(all.apps.find((app) => app.a === 'down')).toMatchObject({ h: 0, s: 'err' });
    expect(all.apps.find((app) => app.a === 'mix')?.s).toBe(undefined);
    expect(all.s).toMatch(/^err \d+\/\d+$/);
    await velosOk(['delete', 'down'], { home });
  });
});
