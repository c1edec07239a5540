import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRuleSpec } from '@velos/core';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeLogs } from '../../src/log-insights/log-analyze.js';
import type { LogQueryTarget } from '../../src/log-insights/log-target.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-analyze-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = 300_000;
/** Where the three lines only a rule makes errors are. */
const RULED = [100_000, 200_000, 250_000];
const PREFIX = { text: '2026-12-03 10:00:00 ', dateFormat: 'YYYY-MM-DD HH:mm:ss' };

/**
 * An app whose out file holds 300k info lines and three `payment declined for txn <n>` lines, each
 * line after `prefix`: no word of the built-in rules makes those errors, only the app's `log_rules`.
 */
function ruled(file: string, logRules: LogRuleSpec[], prefix?: typeof PREFIX): LogQueryTarget {
  const out: string[] = [];
  for (let i = 0; i < LINES; i += 1) {
    if (RULED.includes(i)) out.push(`${prefix?.text ?? ''}payment declined for txn ${i} (café)`);
    out.push(`${prefix?.text ?? ''}INFO req ${i} ok in ${i % 97}ms`);
  }
  const outPath = join(dir, `${file}.log`);
  writeFileSync(outPath, `${out.join('\n')}\n`);
  const errPath = join(dir, `${file}-err.log`);
  writeFileSync(errPath, '');
  return {
    name: 'pay',
    id: 0,
    outPath,
    errPath,
    format: 'raw' as LogQueryTarget['format'],
    ...(prefix === undefined ? {} : { dateFormat: prefix.dateFormat }),
    logRules,
    hasLiveEngine: true,
    flushTimeIndex: () => {},
  };
}

describe('analyzeLogs on a sampled range whose only errors are lines a log_rule raises', () => {
  const cases: [string, LogRuleSpec[], typeof PREFIX | undefined][] = [
    ['a rule', [{ match: 'payment declined', level: 'error' }], undefined],
    [
      'a rule of the out stream, with other rules',
      [
        { match: '^INFO req 1 ', level: 'debug' },
        { match: '(?i)PAYMENT DECLINED', level: 'fatal', stream: 'out' },
        { match: 'never', level: 'error', stream: 'err' },
      ],
      undefined,
    ],
    [
      'a rule anchored at the start, behind a log_date_format prefix',
      [{ match: '^payment declined', level: 'error' }],
      PREFIX,
    ],
    ['a rule on non-ASCII text', [{ match: 'txn \\d+ \\(caf.\\)$', level: 'error' }], undefined],
  ];
  for (const [label, rules, prefix] of cases) {
    it(`counts them all and shows the newest as the last error (${label})`, async () => {
      const target = ruled(label.replace(/\W+/g, '-'), rules, prefix);
      const result = await analyzeLogs(target, { target: 'pay', view: 'summary', limit: 5 });
      expect(result.sampleRate).toBeLessThan(1);
      const summary = result.summary!;
      const level = rules.some((rule) => rule.level === 'fatal') ? 'fatal' : 'error';
      expect(summary.levels[level]).toBe(RULED.length);
      expect(summary.lastError?.message).toBe('payment declined for txn 250000 (café)');
    }, 60_000);
  }
});
