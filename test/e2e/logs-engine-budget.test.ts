import type { LogsAnalyzeResult } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, describeState, velosOk, waitFor } from './helpers.js';

/** fixtures/log-mix.js lines, then the burst: the newest lines, a template the mix never writes. */
const LINES = 600_000;
const BURST = 500;
/** The daemon's view budget (`VELOS_LOG_QUERY_BUDGET_MS`): far too short for the 25 MB the app wrote. */
const BUDGET_MS = 50;

let home: string;
let startedAt: number;

beforeAll(async () => {
  home = createHome();
  startedAt = Date.now();
  // the first command starts the daemon: the budget is its environment's
  await velosOk(['start', 'fixtures/log-mix.js', '--name', 'shop'], {
    home,
    env: {
      COUNT: String(LINES),
      BURST: String(BURST),
      // the burst comes later than the last stderr line by more than a clock tick: with no time written in
      // the lines, the files' times tell which was last (on a fast machine both ended in the same ms)
      BURST_AFTER_MS: '100',
      STAY: '1',
      VELOS_LOG_QUERY_BUDGET_MS: String(BUDGET_MS),
    },
  });
  await waitFor(
    async () => {
      const [info] = await describeState(home, 'shop');
      return (info?.logLines.out ?? 0) + (info?.logLines.err ?? 0) >= LINES + BURST;
    },
    { timeoutMs: 120_000, message: 'the lines captured' },
  );
}, 180_000);

afterAll(cleanupHomes, 60_000);

describe('velos logs <app> --summary when the time budget runs out', () => {
  it('covers the newest lines, and says from when every line was read (text, --json, --ai)', async () => {
    const result = JSON.parse(
      (await velosOk(['logs', 'shop', '--summary', '--json'], { home })).stdout,
    ) as LogsAnalyzeResult;
    expect(result.scanned.isPartial).toBe(true);
    const readFrom = result.scanned.readFrom!;
    expect(readFrom).toBeGreaterThanOrEqual(startedAt);
    expect(readFrom).toBeLessThanOrEqual(Date.now());
    // the burst, written last, is what a summary of the newest lines shows
    const summary = result.summary!;
    const templates = [...summary.top, ...(summary.errors ?? [])].map((p) => p.template);
    expect(templates).toContainEqual(expect.stringMatching(/^ERROR checkout crashed: TypeError/));
    expect(summary.lastError?.message).toMatch(/^ERROR checkout crashed: TypeError/);

    const text = (await velosOk(['logs', 'shop', '--summary'], { home })).stdout;
    expect(text).toMatch(
      /\(the 50 ms time budget ran out: the lines before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d were not all read \(every line from then on was\)\)/,
    );
    expect(text).toMatch(/ERROR checkout crashed: TypeError/);

    const ai = JSON.parse((await velosOk(['logs', 'shop', '--summary', '--ai'], { home })).stdout) as {
      partial?: boolean;
      readFrom?: string;
    };
    expect(ai.partial).toBe(true);
    expect(Date.parse(ai.readFrom!)).toBeGreaterThanOrEqual(startedAt);

    const patterns = JSON.parse(
      (await velosOk(['logs', 'shop', '--patterns', '--ai', '--limit', '20'], { home })).stdout,
    ) as { partial?: boolean; readFrom?: string; top: { t: string }[] };
    expect(patterns.partial).toBe(true);
    expect(Date.parse(patterns.readFrom!)).toBeGreaterThanOrEqual(startedAt);
    expect(patterns.top.map((p) => p.t)).toContainEqual(
      expect.stringMatching(/^ERROR checkout crashed: TypeError/),
    );
  }, 120_000);
});
