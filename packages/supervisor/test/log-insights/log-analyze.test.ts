import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isContinuationLine } from '@velos/log-engine';
import { afterAll, describe, expect, it } from 'vitest';
import { ANALYZE_SAMPLE_LINES, analyzeLogs } from '../../src/log-insights/log-analyze.js';
import { searchLogs } from '../../src/log-insights/log-search.js';
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
  return fileTarget(`flood-${lines}`, 'flood', out, []);
}

/** An app `name` whose out and err files (written under `file`) hold these lines. */
function fileTarget(file: string, name: string, out: string[], err: string[]): LogQueryTarget {
  const outPath = join(dir, `${file}.log`);
  writeFileSync(outPath, `${out.join('\n')}\n`);
  const errPath = join(dir, `${file}-err.log`);
  writeFileSync(errPath, err.length === 0 ? '' : `${err.join('\n')}\n`);
  return {
    name,
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
      expect(summary.levels.error).toBe(35);
      expect(summary.levels.fatal).toBeUndefined();
      expect(summary.lastError?.message).toBe('Error: boom after flood');
      expect(summary.errors?.map((p) => p.template)).toContain('Error: boom after flood');
      for (const p of summary.top) expect(p.template.trim()).not.toMatch(/^(?:at .*)?$/);
      // 34 × 3 and the crash's 7 (its throw line, caret, frames and blank lines)
      if (result.sampleRate === 1) expect(summary.continuationLines).toBe(34 * 3 + 7);
      expect(result.text).toMatch(/last error[^\n]*: Error: boom after flood/);
      // `--level error` shows the same error events, each with its stack
      const shown = await searchLogs(target, { target: 'crashy', level: 'error', limit: 1000 });
      const events = shown.lines.filter((l) => !isContinuationLine(l.line));
      expect(events).toHaveLength(35);
      expect(events.at(-1)?.line).toBe('Error: boom after flood');
      expect(shown.lines.some((l) => l.line.startsWith('    at Timeout._onTimeout'))).toBe(true);
      expect(shown.lines.some((l) => l.line.startsWith('    throw new Error'))).toBe(false);
    }, 60_000);
  }
});
