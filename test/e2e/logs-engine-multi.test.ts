import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import type {
  LogLine,
  LogsAnalyzeRequest,
  LogsAnalyzeResult,
  LogsRequest,
  LogsSearchRequest,
} from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  describeState,
  killChild,
  spawnVelos,
  velos,
  velosOk,
  waitFor,
  withClient,
} from './helpers.js';

/** Lines each log-mix.js app prints (about a fifth of them error events, some of them on stderr). */
const MIX_LINES = 300;
/** Lines each two-streams.js app prints (`line <n>`, odd ones on stdout, even ones on stderr). */
const PLAIN_LINES = 40;

let home: string;

/** Lines captured of `name`, over the daemon's socket (polled: no CLI process each time). */
async function captured(name: string): Promise<number> {
  const [info] = await describeState(home, name);
  return (info?.logLines.out ?? 0) + (info?.logLines.err ?? 0);
}

/** The lines of a `--json` search (one JSON line each). */
async function searchJson(args: string[]): Promise<LogLine[]> {
  const { stdout } = await velosOk(['logs', ...args, '--json'], { home });
  return stdout
    .trim()
    .split('\n')
    .filter((text) => text.length > 0)
    .map((text) => JSON.parse(text) as LogLine);
}

/**
 * The lines of a search over the daemon's socket, as `velos logs … --json` prints them (one
 * `JSON.stringify` of each line): the reference a multi-app search is compared with, which is not the
 * CLI under test, so it costs no CLI process.
 */
async function searchState(request: LogsSearchRequest): Promise<LogLine[]> {
  const result = await withClient(home, (client) => client.searchLogs(request));
  return JSON.parse(JSON.stringify(result.lines)) as LogLine[];
}

/** The answer of a log engine view over the socket, as `velos logs … --json` prints it (a reference). */
async function analyzeState(request: LogsAnalyzeRequest): Promise<LogsAnalyzeResult> {
  const result = await withClient(home, (client) => client.analyzeLogs(request));
  return JSON.parse(JSON.stringify(result)) as LogsAnalyzeResult;
}

/** The lines of a plain tail over the socket, as `velos logs <target> --lines N --json` prints them (a reference). */
/** A tail over the socket, with each line's level as `velos logs --json` asks for it. */
async function tailState(request: LogsRequest): Promise<LogLine[]> {
  const result = await withClient(home, (client) => client.logsResult({ ...request, withLevels: true }));
  return JSON.parse(JSON.stringify(result.lines)) as LogLine[];
}

/** `--since 10m` as the CLI sends it: the time 10 minutes ago. */
function tenMinutesAgo(): number {
  return Date.now() - 10 * 60_000;
}

beforeAll(async () => {
  home = createHome();
  // one after the other: each of mix-b's lines is newer than mix-a's (log-mix.js prints the same lines each run)
  for (const name of ['mix-a', 'mix-b']) {
    await velosOk(['start', 'fixtures/log-mix.js', '--name', name, '--namespace', 'shop'], {
      home,
      env: { COUNT: String(MIX_LINES), STAY: '1' },
    });
    await waitFor(async () => (await captured(name)) >= MIX_LINES, {
      timeoutMs: 30_000,
      message: `${name} captured`,
    });
  }
  // side by side: their lines interleave in time. Each prints its first line, then waits for the go file
  // until both have (a loaded machine took seconds between the two starts: plain had printed all its lines)
  const goFile = join(home, 'go');
  const env = { COUNT: String(PLAIN_LINES), EVERY_MS: '100', FIRST: '1', GO_FILE: goFile, STAY: '1' };
  await velosOk(['start', 'fixtures/two-streams.js', '--name', 'plain', '--namespace', 'tools'], {
    home,
    env,
  });
  await velosOk(['start', 'fixtures/two-streams.js', '--name', 'plain-2', '--namespace', 'tools'], {
    home,
    env,
  });
  await waitFor(async () => (await captured('plain')) >= 1 && (await captured('plain-2')) >= 1, {
    timeoutMs: 30_000,
    message: 'the first line of each plain app',
  });
  writeFileSync(goFile, '');
  await waitFor(
    async () => (await captured('plain')) >= PLAIN_LINES && (await captured('plain-2')) >= PLAIN_LINES,
    {
      timeoutMs: 30_000,
      message: 'the plain apps captured',
    },
  );
}, 90_000);

afterAll(cleanupHomes, 60_000);

describe('velos logs searches over several apps (LOG-4/ENG-7)', () => {
  it('without a target: every error of every app in the last 10 minutes, by time, each under its app', async () => {
    // each app alone, over the socket: the CLI under test is the search of every app
    const alone = (target: string) =>
      searchState({ target, level: 'error', since: tenMinutesAgo(), limit: 1000 });
    const a = await alone('mix-a');
    const b = await alone('mix-b');
    expect(a.length).toBeGreaterThan(20);
    expect(b.length).toBeGreaterThan(20);
    const all = await searchJson(['--level', 'error', '--since', '10m', '--limit', '1000']);
    expect(all).toHaveLength(a.length + b.length);
    expect(new Set(all.map((line) => line.name))).toEqual(new Set(['mix-a', 'mix-b']));
    const key = (line: LogLine) => `${line.name} ${line.ts} ${line.line}`;
    expect(all.map(key).sort()).toEqual([...a, ...b].map(key).sort());
    // merged by time, not one app after the other
    const times = all.map((line) => line.ts);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    for (const line of all) expect(line.line).toMatch(/ERROR|"level":"error"|upstream timeout/);
  });

  it('prints "<name> | line" as plain velos logs does; --limit keeps the newest matches of all the apps', async () => {
    const { stdout, stderr } = await velosOk(['logs', 'all', '--grep', 'ECONNREFUSED', '--limit', '6'], {
      home,
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    // mix-b ran after mix-a: the newest matches are all its own
    for (const line of lines)
      expect(line).toMatch(/^mix-b \| ERROR db connection failed: connect ECONNREFUSED/);
    expect(stderr).toContain('the newest matches are shown');
    const newest = await searchState({ target: 'all', grep: 'ECONNREFUSED', limit: 1000 });
    expect(lines).toEqual(newest.slice(-6).map((line) => `${line.name} | ${line.line}`));
  });

  it('merges the lines of apps that logged side by side by time, out and err lines included', async () => {
    const tools = await searchJson(['tools', '--grep', '^line', '--limit', '1000']);
    expect(tools).toHaveLength(2 * PLAIN_LINES);
    const times = tools.map((line) => line.ts);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    // each app's own lines (out and err) in the order a search of that app alone gives them
    for (const name of ['plain', 'plain-2']) {
      const alone = await searchState({ target: name, grep: '^line', limit: 1000 });
      expect(alone).toHaveLength(PLAIN_LINES);
      expect(tools.filter((line) => line.name === name)).toEqual(alone);
    }
    const switches = tools.filter((line, i) => i > 0 && line.name !== tools[i - 1]!.name).length;
    expect(switches).toBeGreaterThan(3);
  });

  it('reads the apps of a namespace or of a /regex/ of names, and only those', async () => {
    const shop = await searchJson(['shop', '--grep', '.', '--limit', '2000']);
    expect(new Set(shop.map((line) => line.name))).toEqual(new Set(['mix-a', 'mix-b']));
    expect(shop).toHaveLength(2 * MIX_LINES);
    const regex = await searchJson(['/^(plain|mix-b)$/', '--grep', '.', '--limit', '2000']);
    expect(new Set(regex.map((line) => line.name))).toEqual(new Set(['plain', 'mix-b']));
    expect(regex).toHaveLength(MIX_LINES + PLAIN_LINES);
    const none = await velos(['logs', '/^nothing/', '--grep', '.'], { home });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('no process name matches /^nothing/');
  });

  it('--ai names the app of each line when the answer is about several', async () => {
    const { stdout } = await velosOk(['logs', '--grep', '^line 1$', '--ai'], { home });
    const ai = JSON.parse(stdout) as { lines: { a?: string; m: string }[] };
    expect(ai.lines.map((line) => `${line.a} ${line.m}`)).toEqual(['plain line 1', 'plain-2 line 1']);
  });

  it("summarises several apps: one summary of the merged stream, each app's lines, errors and health, the apps of each pattern", async () => {
    // each app alone, over the socket (the reference): the CLI under test summarises several
    const alone = await Promise.all(
      ['mix-a', 'mix-b'].map((target) => analyzeState({ target, view: 'summary', since: tenMinutesAgo() })),
    );
    const shop = await analyzeJson(['shop', '--summary', '--since', '10m', '--limit', '10']);
    expect(shop.app).toBe('shop');
    expect(shop.apps!.map((app) => app.name)).toEqual(['mix-a', 'mix-b']);
    for (const [i, app] of shop.apps!.entries()) {
      // every line read (no sample): each app's share is what a summary of that app alone counts
      expect(app.lines).toBe(alone[i]!.summary!.lines);
      expect(app.levels).toEqual(alone[i]!.summary!.levels);
      expect(app.health).toBeGreaterThanOrEqual(0);
      expect(app.health).toBeLessThan(100);
    }
    expect(shop.summary!.lines).toBe(alone[0]!.summary!.lines + alone[1]!.summary!.lines);
    expect(shop.summary!.levels.error).toBe(
      alone[0]!.summary!.levels.error! + alone[1]!.summary!.levels.error!,
    );
    // both apps print the same mix: each of its templates comes from both
    const payment = shop.summary!.top.find((p) => p.template.includes('payment failed'));
    expect(payment?.apps?.slice().sort()).toEqual(['mix-a', 'mix-b']);
    const all = await analyzeJson(['all', '--summary', '--since', '10m', '--limit', '20']);
    expect(all.apps!.map((app) => app.name)).toEqual(['mix-a', 'mix-b', 'plain', 'plain-2']);
    const plain = all.apps!.find((app) => app.name === 'plain')!;
    expect(plain).toMatchObject({ lines: PLAIN_LINES, health: 100 });
    const lines = all.summary!.top.find((p) => p.template.startsWith('line '));
    expect(lines?.apps?.slice().sort()).toEqual(['plain', 'plain-2']);
    const users = all.summary!.top.find((p) => p.template.startsWith('GET '));
    expect(users?.apps?.slice().sort()).toEqual(['mix-a', 'mix-b']);
    // without a target: every app, as plain velos logs shows every app's lines
    const bare = await analyzeJson(['--summary', '--since', '10m']);
    expect(bare.apps!.map((app) => app.name)).toEqual(['mix-a', 'mix-b', 'plain', 'plain-2']);
    expect(bare.summary!.lines).toBe(all.summary!.lines);
  });

  it('prints the per-app breakdown and the apps of each pattern; --ai gives them in short keys', async () => {
    const { stdout } = await velosOk(['logs', 'tools', '--summary', '--since', '10m'], { home });
    expect(stdout).toMatch(/^apps: plain {4}40 lines · health 100\/100$/m);
    expect(stdout).toMatch(/^ {6}plain-2 {2}40 lines · health 100\/100$/m);
    expect(stdout).toMatch(/^top: 80× plain(-2)?, plain(-2)? \| line <num>/m);
    const ai = JSON.parse((await velosOk(['logs', 'shop', '--summary', '--ai'], { home })).stdout) as {
      app: string;
      n: number;
      top: { t: string; a: string[] }[];
      apps: { a: string; h: number; n: number; lv: Record<string, number> }[];
    };
    expect(ai.app).toBe('shop');
    expect(ai.apps.map((app) => app.a)).toEqual(['mix-a', 'mix-b']);
    expect(ai.apps[0]!.n + ai.apps[1]!.n).toBe(ai.n);
    expect(ai.apps[0]!.lv.error).toBeGreaterThan(0);
    for (const p of ai.top) expect(p.a.slice().sort()).toEqual(['mix-a', 'mix-b']);
  });

  it('patterns, dedupe and anomalies over several apps', async () => {
    const patterns = await analyzeJson([
      '/^(plain|mix-a)$/',
      '--patterns',
      '--since',
      '10m',
      '--limit',
      '50',
    ]);
    expect(patterns.app).toBe('/^(plain|mix-a)$/');
    const line = patterns.patterns!.find((p) => p.template.startsWith('line '));
    expect(line).toMatchObject({ count: PLAIN_LINES, apps: ['plain'] });
    const payment = patterns.patterns!.find((p) => p.template.includes('payment failed'));
    expect(payment?.apps).toEqual(['mix-a']);
    // dedupe collapses each app's lines apart: the entries of one app count its lines
    const dedupe = await analyzeJson(['tools', '--dedupe', '--since', '10m']);
    const entries = dedupe.dedupe!;
    expect(entries.map((entry) => entry.app).sort()).toEqual(['plain', 'plain-2']);
    for (const entry of entries) expect(entry.count).toBe(PLAIN_LINES);
    const text = (await velosOk(['logs', 'tools', '--dedupe', '--since', '10m'], { home })).stdout;
    expect(text).toMatch(/^plain \| line <num> \(x40,/m);
    expect(text).toMatch(/^plain-2 \| line <num> \(x40,/m);
    const anomalies = await analyzeJson(['all', '--anomalies']);
    expect(anomalies.app).toBe('all');
    expect(Array.isArray(anomalies.anomalies)).toBe(true);
  });

  it('a plain velos logs /regex/ shows the recent lines of every app whose name matches, as velos logs all does for all', async () => {
    const regex = await searchTail(['/^plain/', '--lines', '1000']);
    expect(new Set(regex.map((line) => line.name))).toEqual(new Set(['plain', 'plain-2']));
    expect(regex).toHaveLength(2 * PLAIN_LINES);
    // the references over the socket: the namespace's tail, and every app's
    expect(regex).toEqual(await tailState({ target: 'tools', lines: 1000 }));
    const all = await tailState({ target: 'all', lines: 1000 });
    expect(regex).toEqual(all.filter((line) => line.name === 'plain' || line.name === 'plain-2'));
    const { stdout } = await velosOk(['logs', '/^plain-/', '--lines', '3'], { home });
    expect(stdout.trim().split('\n')).toEqual([
      'plain-2 | line 38',
      'plain-2 | line 39',
      'plain-2 | line 40',
    ]);
    const none = await velos(['logs', '/^nothing/'], { home });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('no process name matches /^nothing/');
  });

  it('velos logs /regex/ -f follows the matching apps, those started later too', async () => {
    const follower = spawnVelos(['logs', '/^late/', '--follow', '--lines', '0'], { home });
    // set-up and polling over the socket: the CLI under test here is the follower
    const client = createClient({ home, autoStart: false, timeoutMs: 10_000 });
    let seen = '';
    follower.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
    });
    try {
      // the follow is open before any app matches (the daemon counts its connection beside this check's
      // own): a /regex/ that matches nothing yet is followed, not refused
      await waitFor(
        async () => {
          const health = await client.health();
          return (health.components.find((c) => c.name === 'ipc')?.value ?? 0) >= 2;
        },
        { message: 'the follower connected' },
      );
      await velosOk(['start', 'fixtures/two-streams.js', '--name', 'late-1'], {
        home,
        env: { COUNT: '5000', EVERY_MS: '50', STAY: '1' },
      });
      await velosOk(['start', 'fixtures/two-streams.js', '--name', 'other'], {
        home,
        env: { COUNT: '5000', EVERY_MS: '50', STAY: '1' },
      });
      await waitFor(() => /^late-1 \| line \d+$/m.test(seen), {
        timeoutMs: 30_000,
        message: () => `late-1's lines on the follower: ${seen}`,
      });
      await waitFor(async () => (await captured('other')) >= 5, { message: 'other captured' });
      expect(follower.exitCode).toBeNull();
      expect(seen).not.toContain('other |');
    } finally {
      killChild(follower);
      try {
        await client.delete('late-1');
        await client.delete('other');
      } finally {
        await client.close();
      }
    }
  });
});

/** The answer of a `--json` view. */
async function analyzeJson(args: string[]): Promise<LogsAnalyzeResult> {
  const { stdout } = await velosOk(['logs', ...args, '--json'], { home });
  return JSON.parse(stdout) as LogsAnalyzeResult;
}

/** The lines of a plain `velos logs … --json` (one JSON line each). */
async function searchTail(args: string[]): Promise<LogLine[]> {
  const { stdout } = await velosOk(['logs', ...args, '--json'], { home });
  return stdout
    .trim()
    .split('\n')
    .filter((text) => text.length > 0)
    .map((text) => JSON.parse(text) as LogLine);
}
