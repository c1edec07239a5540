import { describe, expect, it } from 'vitest';
import { findErrorHints } from '../src/error-hints.js';
import { compileErrorRuleHints } from '../src/error-rule-hints.js';
import { createRecordParser } from '../src/log-record.js';
import { compileUserRules } from '../src/user-rules.js';

/** The lines of `text` that hold a hint. */
function hinted(lines: string[], stream?: 'out' | 'err'): Set<number> {
  const data = Buffer.from(`${lines.join('\n')}\n`);
  const hits = findErrorHints(data, stream);
  const found = new Set<number>();
  let start = 0;
  lines.forEach((line, i) => {
    const end = start + Buffer.byteLength(line);
    if (hits.some((h) => h >= start && h < end + 1)) found.add(i);
    start = end + 1;
  });
  return found;
}

const LINES = [
  'INFO req 1 ok in 3ms',
  'ERROR payment gateway rejected txn 7',
  '2026-11-22 10:00:00 [error] boom',
  'level=e something',
  'lvl:F something',
  'E1122 10:00:12.345678 1 main.go:10] disk gone',
  'F1122 10:00:12.345678 1 main.go:10] dead',
  'I1122 10:00:12.345678 1 main.go:10] fine',
  '{"level":50,"msg":"db down"}',
  '{"level" : 60, "msg":"gone"}',
  '{"severity":"E","msg":"x"}',
  '{"level":30,"msg":"fine"}',
  '{"level":"info","msg":"request failed"}',
  '{"msg":"uncaught thing"}',
  '{"status":500,"msg":"x"}',
  'TypeError: x is not a function',
  '    at Object.<anonymous> (/app/index.js:1:1)',
  '  File "/app/main.py", line 3, in <module>',
  'Segmentation fault (core dumped)',
  'connect ECONNREFUSED 127.0.0.1:5432',
  'could not open file',
  'permission denied',
  'Unhandled promise rejection',
  'PANIC: no space',
  'job crashed',
  'Traceback (most recent call last):',
  'CRITICAL: disk',
  '[Severe] bad',
  'cache hit for key user:3',
  'WARN slow query took 5ms',
  'GET /api/users/1 200 3ms',
  '\u2003at weird frame',
  '\u1680at odd frame',
  '  {"level":"error","msg":"indented json"}',
  'Caused by: java.io.IOException: disk full',
  '',
  '\tat com.example.App.main(App.java:12)',
  // formats whose level is no word: an access log's 5xx status, a syslog <PRI>
  '10.0.0.1 - - [04/Dec/2024:10:00:00 +0000] "GET /api/users HTTP/1.1" 503 0 "-" "curl/8.0"',
  '10.0.0.1 - - [04/Dec/2024:10:00:00 +0000] "GET /api/users HTTP/1.1" 200 0 "-" "curl/8.0"',
  '\x1b[0mPUT /orders/7 \x1b[31m500\x1b[0m 3.1 ms - 12\x1b[0m',
  // the same coloured with CSI (U+009B, bytes C2 9B)
  '\u009b0mPUT /orders/8 \u009b31m500\u009b0m 3.1 ms - 12\u009b0m',
  'Completed 500 Internal Server Error in 12ms',
  'Dec  4 10:00:00 lb haproxy[1234]: 10.0.0.1:51234 [04/Dec/2024:10:00:00.123] fe be/srv1 0/0/1/2/3 503 212 - - SC-- 1/1/0/0/0 0/0 "GET /api HTTP/1.1"',
  'Dec  4 10:00:00 lb haproxy[1234]: 10.0.0.1:51234 [04/Dec/2024:10:00:00.123] fe be/srv1 0/0/1/2/3 200 212 - - ---- 1/1/0/0/0 0/0 "GET /api HTTP/1.1"',
  '<11>Dec  4 10:00:00 host backup[7]: write stopped',
  '<2>Dec  4 10:00:00 host kernel: thermal shutdown',
  '<14>Dec  4 10:00:00 host app[7]: user in',
  '2024-12-04 10:00:00.123 UTC [77] FATAL:  password authentication failed for user "bob"',
  // abbreviated levels: Serilog, .NET's console, logrus, charm
  '2024-12-04 10:00:00.123 +00:00 [FTL] Host terminated',
  '[10:00:00 FTL] Host terminated',
  'fail: Microsoft.AspNetCore.Server.Kestrel[13]',
  'FATA[0003] cannot start',
  'PANI[0003] stopped',
  '2024/12/04 10:00:00 PANI worker stopped',
  // JSON levels of hclog, .NET's JSON console, MongoDB
  '{"@level":"error","@message":"seal gone","@timestamp":"2024-12-04T10:00:00.000000Z"}',
  '{"EventId":0,"LogLevel":"Critical","Category":"Shop","Message":"disk gone"}',
  '{"t":{"$date":"2024-12-04T10:00:00.000+00:00"},"s":"E","c":"NETWORK","id":1,"ctx":"conn7","msg":"socket closed"}',
  '{"t":{"$date":"2024-12-04T10:00:00.000+00:00"},"s":"F","c":"-","id":2,"ctx":"main","msg":"assertion"}',
  // Android logcat: the priority letter is the level
  '03-17 16:13:38.819  1702  8671 E ActivityManager: Process com.x has died',
  '03-17 16:13:38.840  1702  8671 F libc    : signal 11 (SIGSEGV)',
  '03-17 16:13:38.841  1702  8671 A DEBUG   : Abort message: assertion',
  '03-17 16:13:38.850  1702  8671 I ActivityManager: Start proc 123:com.x',
];

describe('findErrorHints', () => {
  for (const stream of [undefined, 'out', 'err'] as const) {
    it(`points at every line the record parser makes an error or fatal event (stream ${stream})`, () => {
      const found = hinted(LINES, stream);
      const parse = createRecordParser();
      LINES.forEach((line, i) => {
        const { level, isContinuation } = parse(stream === undefined ? { line } : { line, stream });
        if (!isContinuation && (level === 'error' || level === 'fatal'))
          expect(found.has(i), line).toBe(true);
      });
    });
  }

  it('with isPrefixed, points at a glog line behind a time prefix too', () => {
    const data = Buffer.from(
      '2026-12-03 10:00:00 I1122 10:00:12.345678 1 main.go:10] ok\n2026-12-03 10:00:00 E1122 10:00:12.345678 1 main.go:10] gone\n',
    );
    expect(findErrorHints(data)).toEqual([]);
    const hits = findErrorHints(data, undefined, { isPrefixed: true });
    expect(hits).toHaveLength(1);
    expect(data.toString('latin1', hits[0], hits[0]! + 5)).toBe('E1122');
  });

  it('with isPrefixed, points at a logcat E line behind a time prefix too, never at an I line', () => {
    const data = Buffer.from(
      '2026-12-03T10:00:00Z 03-17 16:13:38.850  1702  8671 I Am: Start proc\n2026-12-03T10:00:01Z 03-17 16:13:38.851  1702  8671 E Am: Process died\n',
    );
    const hits = findErrorHints(data, undefined, { isPrefixed: true });
    expect(hits).toEqual([data.indexOf('2026-12-03T10:00:01Z')]);
  });

  it('points at no line of plain info and warn traffic', () => {
    const found = hinted([
      'INFO req 1 ok in 3ms',
      'cache hit for key user:3',
      'WARN slow query took 5ms',
      'GET / 200 1ms',
      '10.0.0.1 - - [04/Dec/2024:10:00:00 +0000] "GET /status HTTP/1.1" 200 5 "-" "curl/8.0"',
      '<14>Dec  4 10:00:00 host app[7]: user in',
      '<164>1 2024-12-04T10:00:00.000Z host billing 77 ID47 - queue deep',
    ]);
    expect(found.size).toBe(0);
  });

  it('with rules, points at the lines only a user rule makes an error or fatal, on its stream', () => {
    const userRules = compileUserRules([
      { match: 'quota (exceeded|gone)', level: 'error' },
      { match: '(?i)^DISK FULL', level: 'fatal', stream: 'err' },
      { match: 'café$', level: 'error' },
      { match: 'cache miss', level: 'warn' },
    ]);
    const rules = compileErrorRuleHints(userRules)!;
    const lines = ['INFO quota exceeded', 'disk full on /srv', 'cache miss', 'au café', 'ok'];
    const at = (hits: number[], data: Buffer) =>
      hits.map((hit) => data.toString('utf8', 0, hit).split('\n').length - 1);
    const data = Buffer.from(`${lines.join('\n')}\n`);
    expect(at(findErrorHints(data, 'out', { rules }), data)).toEqual([0, 3]);
    expect(at(findErrorHints(data, 'err', { rules }), data)).toEqual([0, 1, 3]);
    expect(at(findErrorHints(data, undefined, { rules }), data)).toEqual([0, 1, 3]);
    // each hinted line is one the parser with these rules makes an error or fatal
    const parse = createRecordParser({ userRules });
    for (const i of [0, 1, 3])
      expect(parse({ line: lines[i]!, stream: 'err' }).level).toMatch(/^(error|fatal)$/);
    // behind a time prefix, an anchored rule is tried on what lineOf leaves
    const prefixed = Buffer.from(lines.map((line) => `2026-12-03 10:00:00 ${line}\n`).join(''));
    const lineOf = (line: string) => line.slice(20);
    expect(at(findErrorHints(prefixed, 'err', { rules }), prefixed)).toEqual([0, 3]);
    expect(at(findErrorHints(prefixed, 'err', { isPrefixed: true, rules, lineOf }), prefixed)).toEqual([
      0, 1, 3,
    ]);
    // only rules that lower or warn: nothing to watch
    expect(compileErrorRuleHints(compileUserRules([{ match: 'x', level: 'info' }]))).toBeUndefined();
    expect(compileErrorRuleHints(undefined)).toBeUndefined();
  });
});

describe('findErrorHints with rules, on lines the classifier changes before its rules see them', () => {
  /** Lines whose error a user's rule finds only in the text the classifier gives it. */
  const CHANGED = [
    // colour codes between the words of a rule, or before its anchor
    '\x1b[31mpayment\x1b[0m declined for txn 1',
    '\x1b[2mpayment declined for txn 2\x1b[22m',
    // a JSON line's message, anchored; with escapes; with white space after it; nested in a JSON message
    '{"time":1764000000000,"msg":"payment declined for txn 3"}',
    '{"msg":"payment \\"declined\\" for txn 4","pid":7}',
    '  {"message": "payment declined for txn 5   ", "user": {"id": 1}}',
    '{"log":"{\\"msg\\":\\"payment declined for txn 6\\"}"}',
    '{"event":{"msg":"nested"},"text":"payment declined for txn 7"}',
    // a message that is no string, and a JSON line without a message field
    '{"msg":["payment declined for txn 8"]}',
    '{"payment declined for txn 9":true}',
    // behind a syslog priority
    '<14>payment declined for txn 10',
    '\x1b[1m<14>\x1b[0mpayment declined for txn 11',
    // colour codes begun by CSI (U+009B)
    '\u009b31mpayment\u009b0m declined for txn 12',
  ];
  /** Lines no rule below makes an error. */
  const OTHERS = [
    'INFO payment accepted for txn 1',
    '{"msg":"payment accepted","note":"payment declined for txn is a phrase"}',
    '\x1b[32minfo\x1b[39m all good',
    '<14>all good',
  ];
  const RULE_SETS = [
    [{ match: '^payment "?declined"? for txn \\d+$', level: 'error' }],
    [{ match: 'payment "declined"', level: 'fatal' }],
    [{ match: 'payment declined', level: 'error' }],
    [{ match: '(?<!\\S)payment declined for txn \\d+(?!\\S)', level: 'error' }],
    [{ match: '(?i)^\\["?PAYMENT DECLINED', level: 'error' }],
    [{ match: '^\\{"payment declined', level: 'error' }],
  ];

  /** The lines of `lines` a parser with `userRules` makes errors or fatal, each on its own. */
  const errorsOf = (lines: string[], userRules: ReturnType<typeof compileUserRules>) =>
    lines.flatMap((line, i) =>
      /^(error|fatal)$/.test(createRecordParser({ userRules })({ line, stream: 'out' }).level) ? [i] : [],
    );

  for (const rules of RULE_SETS) {
    it(`holds an offset for every line the rule ${rules[0]!.match} makes an error`, () => {
      const userRules = compileUserRules(rules);
      const lines = [...CHANGED, ...OTHERS];
      const errors = errorsOf(lines, userRules);
      expect(errors.length).toBeGreaterThan(0);
      const hints = compileErrorRuleHints(userRules)!;
      const data = Buffer.from(`${lines.join('\n')}\n`);
      const found = linesOf(lines, findErrorHints(data, 'out', { rules: hints }));
      for (const i of errors) expect(found, `line ${i}: ${JSON.stringify(lines[i])}`).toContain(i);
      // behind a time prefix, too
      const prefixed = Buffer.from(lines.map((line) => `2026-12-03 10:00:00 ${line}\n`).join(''));
      const lineOf = (line: string) => line.slice(20);
      const behind = linesOf(
        lines.map((line) => `2026-12-03 10:00:00 ${line}`),
        findErrorHints(prefixed, 'out', { isPrefixed: true, rules: hints, lineOf }),
      );
      for (const i of errors) expect(behind, `line ${i} behind a prefix`).toContain(i);
    });
  }

  it('finds what each kind of line needs: the anchored rule on every JSON message, a split rule only', () => {
    const userRules = compileUserRules(RULE_SETS[0]);
    expect(errorsOf(CHANGED, userRules)).toEqual([0, 1, 2, 3, 4, 5, 6, 9, 10, 11]);
    const split = compileUserRules(RULE_SETS[2]);
    // a split by colour codes: only the parser's stripped line matches
    expect(errorsOf(['\x1b[31mpayment\x1b[0m declined'], split)).toEqual([0]);
  });
});

/** The indexes of `lines` (one a line of the data) that hold one of `hits`. */
function linesOf(lines: string[], hits: number[]): Set<number> {
  const found = new Set<number>();
  let start = 0;
  lines.forEach((line, i) => {
    const end = start + Buffer.byteLength(line);
    if (hits.some((h) => h >= start && h <= end)) found.add(i);
    start = end + 1;
  });
  return found;
}
