import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, killChild, spawnVelos, velosOk, waitFor } from './helpers.js';

// CLI-3: `velos logs --ai` lines carry `a` (their app) unless the target names one app, so that an
// agent reading `all`, a namespace or a /regex/ knows whose each line is, and a follow says it on
// every line, not only in the batches that happen to hold lines of two apps.

afterEach(cleanupHomes, 60_000);

type Line = { t: string; a?: string; m: string };

async function startApps(home: string): Promise<void> {
  await velosOk(['start', join(FIXTURES, 'ticker.js'), '--name', 'api'], { home, env: { TICK_MS: '100' } });
  await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'quiet'], { home });
  await waitFor(
    async () => {
      const out = (await velosOk(['logs', 'api', '--lines', '3', '--ai'], { home })).stdout;
      return (JSON.parse(out) as Line[]).length >= 3;
    },
    { timeoutMs: 20_000, message: 'three lines of api' },
  );
}

describe('velos logs --ai and the app of each line', () => {
  it('names the app on the lines of all, even when one app wrote them, and not those of one app', async () => {
    const home = createHome();
    await startApps(home);
    const all = JSON.parse(
      (await velosOk(['logs', 'all', '--lines', '3', '--ai'], { home })).stdout,
    ) as Line[];
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((line) => line.a === 'api')).toBe(true);
    const searched = JSON.parse(
      (await velosOk(['logs', 'all', '--grep', 'ticker', '--limit', '2', '--ai'], { home })).stdout,
    ) as { lines: Line[] };
    expect(searched.lines.length).toBeGreaterThan(0);
    expect(searched.lines.every((line) => line.a === 'api')).toBe(true);
    const one = JSON.parse(
      (await velosOk(['logs', 'api', '--lines', '3', '--ai'], { home })).stdout,
    ) as Line[];
    expect(one.every((line) => line.a === undefined)).toBe(true);

    // an agent gets the text without the colours a logger wrote (as MCP's log answers), also from a search;
    // a sequence begun by the C1 control CSI goes as those begun by ESC [ do
    await velosOk(['start', join(FIXTURES, 'control-chars.js'), '--name', 'tty'], { home });
    const plain = 'plain red \x07bell  csi\ttab end';
    await waitFor(
      async () => {
        const out = (await velosOk(['logs', 'tty', '--lines', '1', '--ai'], { home })).stdout;
        return (JSON.parse(out) as Line[])[0]?.m === plain;
      },
      { timeoutMs: 20_000, message: 'the line of tty without its colour codes' },
    );
    const found = JSON.parse((await velosOk(['logs', 'tty', '--grep', 'red', '--ai'], { home })).stdout) as {
      lines: Line[];
    };
    expect(found.lines.map((line) => line.m)).toEqual([plain]);
  });

  it('names the app on every line a follow of all prints', async () => {
    const home = createHome();
    await startApps(home);
    const follower = spawnVelos(['logs', 'all', '--ai', '--follow', '--lines', '0'], { home });
    let out = '';
    follower.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    try {
      await waitFor(() => out.split('\n').filter(Boolean).length >= 5, {
        timeoutMs: 20_000,
        message: 'five followed lines',
      });
      const lines = out
        .split('\n')
        .filter(Boolean)
        .map((text) => JSON.parse(text) as Line);
      expect(lines.every((line) => line.a === 'api')).toBe(true);
    } finally {
      killChild(follower);
    }
  });
});
