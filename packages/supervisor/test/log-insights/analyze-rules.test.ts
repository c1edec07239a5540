import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRuleSpec } from '@velos/core';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeLogs } from '../../src/log-insights/log-analyze.js';
import type { LogQueryTarget } from '../../src/log-insights/log-target.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-analyze-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// a sample keeps one line in 3 (50k of 150k): without the hints it misses all three ruled lines but in 1 of 27 runs
const LINES = 150_000;
/** Where the three lines only a rule makes errors are. */
const RULED = [50_000, 100_000, 125_000];
const PREFIX = { text: '2026-12-03 10:00:00 ', dateFormat: 'YYYY-MM-DD HH:mm:ss' };

/** How a line's text is written to the file: as it is, coloured, as a JSON line's message. */
type Shape = (text: string) => string;
const PLAIN: Shape = (text) => text;
/** Colour codes around the first word: a rule for two words matches only the text without them. */
const COLOURED: Shape = (text) => text.replace(/^(\w+)/, '\x1b[1;31m$1\x1b[0m');
const JSON_LINE: Shape = (text) => JSON.stringify({ time: '2026-12-03T10:00:00Z', msg: text, pid: 7 });

/**
 * An app whose out file holds 150k info lines and three `payment declined for txn <n>` lines, each
 * line after `prefix` and written in `shape`: no word of the built-in rules makes those errors, only
 * the app's `log_rules`.
 */
function ruled(
  file: string,
  logRules: LogRuleSpec[],
  prefix?: typeof PREFIX,
  shape: Shape = PLAIN,
): LogQueryTarget {
  const out: string[] = [];
  for (let i = 0; i < LINES; i += 1) {
    if (RULED.includes(i)) out.push(`${prefix?.text ?? ''}${shape(`payment declined for txn ${i} (café)`)}`);
    out.push(`${prefix?.text ?? ''}${shape(`INFO req ${i} ok in ${i % 97}ms`)}`);
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
  const cases: [string, LogRuleSpec[], typeof PREFIX | undefined, Shape?][] = [
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
    // the classifier takes colour codes off before its rules see a line
    ['a rule over coloured words', [{ match: 'payment declined', level: 'error' }], undefined, COLOURED],
    [
      'a rule anchored at the start, coloured, behind a prefix',
      [{ match: '^payment declined', level: 'error' }],
      PREFIX,
      COLOURED,
    ],
    // and tries them on a JSON line's message
    [
      'a rule anchored at both ends of a JSON message',
      [{ match: '^payment declined for txn \\d+ \\(café\\)$', level: 'error' }],
      undefined,
      JSON_LINE,
    ],
    [
      'a rule anchored on a JSON message, behind a prefix',
      [{ match: '^payment declined', level: 'fatal' }],
      PREFIX,
      JSON_LINE,
    ],
  ];
  for (const [label, rules, prefix, shape] of cases) {
    it(`counts them all and shows the newest as the last error (${label})`, async () => {
      const target = ruled(label.replace(/\W+/g, '-'), rules, prefix, shape);
      const result = await analyzeLogs(target, { target: 'pay', view: 'summary', limit: 5 });
      expect(result.sampleRate).toBeLessThan(1);
      const summary = result.summary!;
      const level = rules.some((rule) => rule.level === 'fatal') ? 'fatal' : 'error';
      expect(summary.levels[level]).toBe(RULED.length);
      expect(summary.lastError?.message).toBe('payment declined for txn 125000 (café)');
    }, 60_000);
  }
});
