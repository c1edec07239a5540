import type { LogLine } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, describeJson, velos, velosOk, waitFor } from './helpers.js';

/** Lines each log-mix.js app prints (about a fifth of them error events, some of them on stderr). */
const MIX_LINES = 300;
/** Lines each two-streams.js app prints (`line <n>`, odd ones on stdout, even ones on stderr). */
const PLAIN_LINES = 40;

let home: string;

async function captured(name: string): Promise<number> {
  const [info] = await describeJson(home, name);
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
  // side by side: their lines interleave in time
  const env = { COUNT: String(PLAIN_LINES), EVERY_MS: '100', STAY: '1' };
  await velosOk(['start', 'fixtures/two-streams.js', '--name', 'plain', '--namespace', 'tools'], {
    home,
    env,
  });
  await velosOk(['start', 'fixtures/two-streams.js', '--name', 'plain-2', '--namespace', 'tools'], {
    home,
    env,
  });
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
    const a = await searchJson(['mix-a', '--level', 'error', '--since', '10m', '--limit', '1000']);
    const b = await searchJson(['mix-b', '--level', 'error', '--since', '10m', '--limit', '1000']);
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
    const newest = await searchJson(['all', '--grep', 'ECONNREFUSED', '--limit', '1000']);
    expect(lines).toEqual(newest.slice(-6).map((line) => `${line.name} | ${line.line}`));
  });

  it('merges the lines of apps that logged side by side by time, out and err lines included', async () => {
    const tools = await searchJson(['tools', '--grep', '^line', '--limit', '1000']);
    expect(tools).toHaveLength(2 * PLAIN_LINES);
    const times = tools.map((line) => line.ts);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    // each app's own lines (out and err) in the order a search of that app alone gives them
    for (const name of ['plain', 'plain-2']) {
      const alone = await searchJson([name, '--grep', '^line', '--limit', '1000']);
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

  it('refuses a view over several apps, saying which and that a search reads them all', async () => {
    const bare = await velos(['logs', '--summary'], { home });
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toContain("--summary reads one app's logs: velos logs <app> --summary");
    const shop = await velos(['logs', 'shop', '--patterns'], { home });
    expect(shop.code).not.toBe(0);
    expect(shop.stderr).toContain('shop selects 2 apps (mix-a, mix-b)');
    expect(shop.stderr).toContain('a search (level, grep, since, until) reads several apps');
  });
});
