import { describe, expect, it } from 'vitest';
import { ExitContext } from '../src/exit-context.js';
import type { ExitFact } from '../src/exit-facts.js';
import { LogEngine } from '../src/log-engine.js';
import type { LogRecord } from '../src/log-record.js';
import { summarize } from '../src/summarize.js';
import { formatSummary, summaryToJson } from '../src/summary-format.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const crash = (ts: number, code = 1): ExitFact => ({
  ts,
  code,
  signal: null,
  reason: 'crash',
  isCrash: true,
  isRestart: true,
});

/** The levels `ExitContext` gives `records` (in release order) for `exits`. */
function levelsAfter(
  records: LogRecord[],
  exits: ExitFact[],
  isNote?: (parsed: { line: string }) => boolean,
): string[] {
  const engine = new LogEngine();
  const out: string[] = [];
  const context = new ExitContext(exits, (parsed) => out.push(`${parsed.line}=${parsed.level}`), {
    ...(isNote === undefined ? {} : { isNote }),
  });
  for (const record of records) context.push(engine.parseRecord(record), undefined);
  context.flush();
  return out;
}

describe('ExitContext', () => {
  it('never raises a supervisor’s note about the exit, which ends the crash’s lines', () => {
    const records: LogRecord[] = [
      { ts: T0 + 9600, stream: 'err', line: 'shutting down the worker pool' },
      { ts: T0 + 9700, stream: 'err', line: 'velos: stopped restarting after 3 unstable restarts in a row' },
    ];
    const isNote = (parsed: { line: string }) => parsed.line.startsWith('velos: ');
    expect(levelsAfter(records, [crash(T0 + 9650)], isNote)).toEqual([
      'shutting down the worker pool=error',
      'velos: stopped restarting after 3 unstable restarts in a row=info',
    ]);
    // without it, the note written in the exit's last 250 ms passed for the crash's message
    expect(levelsAfter(records, [crash(T0 + 9650)])[1]).toMatch(/=error$/);
  });

  it('raises the stderr lines just before a crash to error, and no others', () => {
    const records: LogRecord[] = [
      { ts: T0, stream: 'err', line: 'listening on 3000' },
      { ts: T0 + 5000, stream: 'err', line: 'config reloaded' },
      { ts: T0 + 9600, stream: 'err', line: 'cannot open /data/db: permission denied' },
    ];
    expect(levelsAfter(records, [crash(T0 + 9650)])).toEqual([
      'listening on 3000=info',
      'config reloaded=info',
      'cannot open /data/db: permission denied=error',
    ]);
  });

  it('raises one event per crash: the newest, with its continuation lines, unless one says error', () => {
    const lines = ['one', 'two', 'three', 'four', 'five'];
    const records: LogRecord[] = lines.map((line, i) => ({ ts: T0 + 100 * i, stream: 'err', line }));
    records.push({ ts: T0 + 450, stream: 'err', line: '    at main (/srv/app.js:3:9)' });
    expect(levelsAfter(records, [crash(T0 + 500)])).toEqual([
      'one=info',
      'two=info',
      'three=info',
      'four=info',
      'five=error',
      '    at main (/srv/app.js:3:9)=error',
    ]);
    // Node's own crash report: the place, the code and caret, the error, its version; the error says it
    const node: LogRecord[] = [
      '/srv/app.js:12',
      "  else setTimeout(() => { throw new Error('boom'); }, 20);",
      'Error: boom',
      '    at Timeout._onTimeout (/srv/app.js:12:33)',
      'Node.js v20.20.2',
    ].map((line, i) => ({ ts: T0 + 10 * i, stream: 'err', line }));
    const levels = levelsAfter(node, [crash(T0 + 100)]);
    expect(levels.filter((level) => level.endsWith('=error'))).toEqual([
      'Error: boom=error',
      '    at Timeout._onTimeout (/srv/app.js:12:33)=error',
    ]);
  });

  it('leaves stdout, a clean exit, a user restart and lines more than a second before alone', () => {
    const records: LogRecord[] = [
      { ts: T0, stream: 'err', line: 'long before' },
      { ts: T0 + 1900, stream: 'out', line: 'on stdout' },
    ];
    expect(levelsAfter(records, [crash(T0 + 2000)])).toEqual(['long before=info', 'on stdout=info']);
    const late: LogRecord[] = [{ ts: T0 + 1950, stream: 'err', line: 'bye' }];
    expect(levelsAfter(late, [{ ts: T0 + 2000, code: 0, isCrash: false }])).toEqual(['bye=info']);
    expect(levelsAfter(late, [{ ts: T0 + 2000, signal: 'SIGTERM', reason: 'user', isCrash: false }])).toEqual(
      ['bye=info'],
    );
    // exit code 0 is no crash even when the supervisor called the exit one
    expect(levelsAfter(late, [{ ts: T0 + 2000, code: 0, isCrash: true }])).toEqual(['bye=info']);
  });

  it('takes a line read just after the exit (the pipe is drained after it)', () => {
    const records: LogRecord[] = [{ ts: T0 + 2100, stream: 'err', line: 'Aborted' }];
    expect(levelsAfter(records, [crash(T0 + 2000, 134)])).toEqual(['Aborted=error']);
  });

  it('keeps fatal lines fatal', () => {
    const records: LogRecord[] = [
      { ts: T0 + 10, stream: 'err', line: 'panic: runtime error: index out of range' },
    ];
    expect(levelsAfter(records, [crash(T0 + 20, 2)])).toEqual([
      'panic: runtime error: index out of range=fatal',
    ]);
  });
});

describe('summarize with exits', () => {
  // a crash loop: every run says it started (stdout) and crashes with a plain line on stderr
  const records: LogRecord[] = [];
  const exits: ExitFact[] = [];
  for (let i = 0; i < 10; i += 1) {
    const start = T0 + i * 3000;
    records.push({ ts: start, stream: 'out', line: `worker started pid ${1000 + i}` });
    records.push({ ts: start + 400, stream: 'err', line: 'port 8080 taken, bye' });
    exits.push(crash(start + 420));
  }

  it('counts the crashes and restarts, scores the loop unhealthy and makes the crash message the last error', () => {
    const summary = summarize(records, { exits });
    expect(summary.exits).toMatchObject({ exits: 10, crashes: 10, restarts: 10 });
    expect(summary.exits?.last?.ts).toBe(T0 + 27_420);
    expect(summary.health).toBeLessThanOrEqual(40);
    expect(summary.lastError?.message).toBe('port 8080 taken, bye');
    expect(summary.levels.error).toBe(10);
    expect(summary.errors[0]?.template).toBe('port <num> taken, bye');
    const text = formatSummary(summary, { utc: true });
    expect(text).toContain('exits: 10 (10 crashes, 10 restarts) · last 10:00:27 code 1 (crash)');
    expect(summaryToJson(summary).exits).toEqual({
      count: 10,
      crashes: 10,
      restarts: 10,
      last: { at: '2026-11-22T10:00:27.420Z', code: 1, reason: 'crash' },
    });
  });

  it('is unchanged without exits, and a user restart is no crash', () => {
    const plain = summarize(records);
    expect(plain.health).toBe(100);
    expect(plain.exits).toBeUndefined();
    expect(plain.lastError).toBeUndefined();
    expect(summaryToJson(plain).exits).toBeUndefined();
    const restart: ExitFact = {
      ts: T0 + 420,
      signal: 'SIGTERM',
      reason: 'user',
      isCrash: false,
      isRestart: true,
    };
    const restarted = summarize(records, { exits: [restart] });
    expect(restarted.health).toBe(100);
    expect(restarted.exits).toMatchObject({ exits: 1, crashes: 0, restarts: 1 });
    expect(restarted.lastError).toBeUndefined();
  });
});

describe('a Node app crash-looping faster than a second', () => {
  /** One run's crash report: the batch read just before the exit, its last two lines just after it. */
  const report = (exitTs: number, error: string): LogRecord[] => [
    ...['/srv/app.js:1', '  const o = undefined; o.x;', '                        ^', '', error].map(
      (line): LogRecord => ({ ts: exitTs - 5, stream: 'err', line }),
    ),
    { ts: exitTs - 5, stream: 'err', line: '    at Timeout._onTimeout (/srv/app.js:1:25)' },
    { ts: exitTs + 3, stream: 'err', line: '' },
    { ts: exitTs + 3, stream: 'err', line: 'Node.js v20.20.2' },
  ];
  const TYPE_ERROR = "TypeError: Cannot read properties of undefined (reading 'x')";

  it("makes the error line the last error, not Node's version footer", () => {
    // runs 255 ms apart: a run's lines fell in the window of the crash before it, its footer (read after
    // the exit) in its own, alone, and raised: the last error was `Node.js v20.20.2`
    const records: LogRecord[] = [];
    const exits: ExitFact[] = [];
    for (let i = 0; i < 8; i += 1) {
      const exitTs = T0 + 1000 + i * 255;
      records.push(...report(exitTs, TYPE_ERROR));
      exits.push(crash(exitTs));
    }
    const summary = summarize(records, { exits });
    expect(summary.lastError?.message).toBe(TYPE_ERROR);
    expect(summary.levels.error).toBe(8);
    expect(summary.errors.map((pattern) => pattern.template)).toEqual([TYPE_ERROR]);
  });

  it('raises the message of a report, never its frame lines, and nothing when it holds only them', () => {
    // a thrown string: no line says error; the message is before Node's footer (with its hint, a continuation)
    const thrown: LogRecord[] = [
      '/srv/app.js:3',
      "throw 'boom';",
      '^',
      'boom',
      '(Use `node --trace-uncaught ...` to show where the exception was thrown)',
      '',
      'Node.js v22.12.0',
    ].map((line) => ({ ts: T0 + 990, stream: 'err', line }));
    expect(levelsAfter(thrown, [crash(T0 + 1000)]).filter((level) => level.endsWith('=error'))).toEqual([
      'boom=error',
      '(Use `node --trace-uncaught ...` to show where the exception was thrown)=error',
      '=error',
    ]);
    const frameOnly: LogRecord[] = ['node:internal/process/promises:288', 'Node.js v20.20.2'].map((line) => ({
      ts: T0 + 990,
      stream: 'err',
      line,
    }));
    expect(levelsAfter(frameOnly, [crash(T0 + 1000)])).toEqual([
      'node:internal/process/promises:288=info',
      'Node.js v20.20.2=info',
    ]);
  });

  it('gives a line read after a crash to the next run from halfway to its crash on', () => {
    const records: LogRecord[] = [
      { ts: T0 + 1003, stream: 'err', line: 'late line of the first run' },
      { ts: T0 + 1100, stream: 'err', line: 'the second run says hello' },
      { ts: T0 + 1140, stream: 'err', line: 'the second run gives up' },
    ];
    expect(levelsAfter(records, [crash(T0 + 1000), crash(T0 + 1150)])).toEqual([
      'late line of the first run=error',
      'the second run says hello=info',
      'the second run gives up=error',
    ]);
  });
});
