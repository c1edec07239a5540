import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ANALYZE_SAMPLE_LINES, analyzeLogs } from '../../src/log-insights/log-analyze.js';
import type { LogQueryTarget } from '../../src/log-insights/log-target.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An app whose out file holds `lines` info lines with three error lines at 100k, 200k and 250k. */
function flood(lines: number): LogQueryTarget {
  const out: string[] = [];
  for (let i = 0; i < lines; i += 1) {
    if (i === 100_000 || i === 200_000 || i === 250_000) out.push(`ERROR payment gateway rejected txn ${i}`);
    out.push(`INFO req ${i} ok in ${i % 97}ms`);
  }
  const outPath = join(dir, `flood-${lines}.log`);
  writeFileSync(outPath, `${out.join('\n')}\n`);
  const errPath = join(dir, `flood-${lines}-err.log`);
  writeFileSync(errPath, '');
  return {
    name: 'flood',
    id: 0,
    outPath,
    errPath,
    format: 'raw' as LogQueryTarget['format'],
    hasLiveEngine: true,
    flushTimeIndex: () => {},
  };
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
