import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyLine, createClassifier, DEFAULT_LEVEL_RULES, labelOf } from '../src/classifier.js';
import { parseLevel } from '../src/levels.js';

describe('classifyLine: words that state an absence', () => {
  it('reads no trouble in zero counts and negations, and still reads the rest of the line', () => {
    for (const line of [
      'processed 120 records, 0 errors',
      'sync complete: errors=0 warnings=0',
      'errors: 0, failures: 0',
      'No errors found',
      'imported 12 rows without errors',
      'Tests: 0 failed, 42 passed',
      'failed: 0',
      'error count: 0',
      'lastError=null retries=2',
      'result error=<nil> took 3ms',
      '2024-12-04T10:00:00.123456Z 0 [System] [MY-010910] [Server] Shutdown complete (errors: 0).',
      'I1204 10:00:00.123456       1 reflector.go:1] "Caches populated" errors=0',
    ]) {
      expect(classifyLine(line), line).toBe('info');
    }
    for (const line of [
      'errors: 3',
      'error: null pointer dereference',
      '0 errors in batch 1, job 7 failed',
      'no error handler for TypeError',
      'errors=0 then panic: nil map',
    ]) {
      expect(classifyLine(line), line).not.toBe('info');
    }
  });
});

describe('classifyLine: words that end in error', () => {
  it('reads an exception name as an error, not a package, a DNS status or a handler that ends in error', () => {
    for (const line of [
      'TypeError: x is undefined',
      'java.io.IOException: broken pipe',
      'caught KeyError in handler',
      'IOError: [Errno 5]',
      'myError happened',
      'ERROR connection lost',
      'NOERROR, then the call failed',
    ]) {
      expect(classifyLine(line), line).toBe('error');
    }
    for (const line of [
      '2026-09-22 04:45:29 status installed liberror-perl:all 0.17029-2',
      '10.0.0.1:46723 - 4321 "A IN example.com. udp 29 false 512" NOERROR qr,rd,ra 68 0.000163s',
      'window.onerror handler set',
    ]) {
      expect(classifyLine(line), line).toBe('info');
    }
  });
});

describe('classifyLine: format labels', () => {
  it('reads a lower-case level first (winston, git), not inside a sentence', () => {
    expect(classifyLine('info: retrying failed webhook 7')).toBe('info');
    expect(classifyLine('2024-12-04T10:00:00.000Z warn: pool low')).toBe('warn');
    expect(classifyLine('debug: cache size 12')).toBe('debug');
    expect(classifyLine('fatal: not a git repository')).toBe('fatal');
    expect(classifyLine('request failed, more info: see docs')).toBe('error');
  });

  it("reads PostgreSQL's severities: FATAL ends a session (an error), PANIC the server", () => {
    const pg = (rest: string) => `2024-12-04 10:00:00.123 UTC [77] ${rest}`;
    expect(classifyLine(pg('LOG:  automatic vacuum of table "shop.public.errors": index scans: 1'))).toBe(
      'info',
    );
    expect(classifyLine(pg('FATAL:  password authentication failed for user "bob"'))).toBe('error');
    expect(classifyLine(pg('PANIC:  could not write to file "pg_wal/x"'))).toBe('fatal');
    expect(classifyLine('FATAL: out of disk')).toBe('fatal');
  });

  it('reads a capitalised level in a column after the time (Windows CBS, .NET), not a sentence', () => {
    const cbs = (level: string, rest: string) => `2024-03-02 07:15:09, ${level.padEnd(22)}SVC    ${rest}`;
    expect(classifyLine(cbs('Info', 'Warning: unknown attribute in manifest.'))).toBe('info');
    expect(classifyLine(cbs('Info', 'SQM: Failed to queue upload. [HRESULT = 0x80004005]'))).toBe('info');
    expect(classifyLine(cbs('Warning', 'Failed to read the store, retrying'))).toBe('warn');
    expect(classifyLine(cbs('Error', '00000002 could not open key'))).toBe('error');
    expect(classifyLine('2024-03-02T07:15:09Z Information: job 12 finished')).toBe('info');
    expect(classifyLine('2024-03-02 07:15:09 Debug\tconnect attempt 1 failed')).toBe('debug');
    expect(classifyLine('2024-03-02 07:15:09 Warning: disk 91% full, failed writes likely')).toBe('warn');
    // one space: the first word of a sentence, read by the content rules
    expect(classifyLine('2024-03-02 07:15:09 Info about the failed job follows')).toBe('error');
    expect(classifyLine('2024-03-02 07:15:09 Debugger attached')).toBe('info');
  });

  it('reads the abbreviated levels of Serilog, .NET, logrus and charm where a label stands, not in a sentence', () => {
    expect(classifyLine('2024-12-04 10:00:00.123 +00:00 [FTL] Host terminated unexpectedly')).toBe('fatal');
    expect(classifyLine('[10:00:00 WRN] Failed to determine the https port for redirect.')).toBe('warn');
    expect(classifyLine('[10:00:00 DBG] Failed lookup of key 7')).toBe('debug');
    expect(classifyLine('fail: Microsoft.AspNetCore.Server.Kestrel[13]')).toBe('error');
    expect(classifyLine('fail: 0, pass: 12')).toBe('info');
    expect(classifyLine('2024-12-04 10:00:00 fail: 0')).toBe('info');
    expect(classifyLine('2024-12-04 10:00:00 trce: Microsoft.AspNetCore.Routing[1001]')).toBe('debug');
    expect(classifyLine('ERRO[0042] could not reach registry')).toBe('error');
    expect(classifyLine('2024/12/04 10:00:00 FATA cannot start')).toBe('fatal');
    // inside a sentence an abbreviation is a word: the content rules read the line
    expect(classifyLine('result is INF after the failed step')).toBe('error');
    expect(classifyLine('the TRAC review panel met')).toBe('info');
  });

  it("reads MySQL's [Note] as info", () => {
    expect(
      classifyLine(
        '2024-12-04T10:00:00Z 8 [Note] [MY-010914] [Server] Aborted connection 8 (Got an error reading packets).',
      ),
    ).toBe('info');
  });

  it("reads Redis's level marks (. debug, - verbose, * notice, # warning), its words raising a warning to an error", () => {
    const cases: [string, string][] = [
      ['1:M 07 Dec 2026 10:00:00.000 # WARNING overcommit_memory is set to 0!', 'warn'],
      ['1:M 07 Dec 2026 10:00:00.000 # Server initialized', 'warn'],
      [
        '7:S 07 Dec 2026 10:00:00.000 # Failed opening the temp RDB file temp-7.rdb (in server root dir /data) for saving: Permission denied',
        'error',
      ],
      ['1:C 07 Dec 2026 10:00:00.000 * Ready to accept connections tcp', 'info'],
      ['1:M 07 Dec 2026 10:00:00.000 * Background saving terminated with success', 'info'],
      ['1:M 07 Dec 2026 10:00:00.000 - Accepted 127.0.0.1:50312', 'debug'],
      ['1:M 07 Dec 2026 10:00:00.000 . Client closed connection id=5 timeout', 'debug'],
      ['[4018] 14 Nov 07:01:22.119 # Warning: 32 bit instance detected', 'warn'],
      ['[4018] 14 Nov 07:01:22.119 * DB loaded from disk: 0.000 seconds', 'info'],
    ];
    for (const [line, level] of cases) expect(classifyLine(line), line).toBe(level);
    // no Redis header: the line's words as before
    expect(classifyLine('12:30 07 Dec 2026 # not redis')).toBe('info');
  });
});

describe('classifyLine', () => {
  it('uses an explicit label first, the leftmost one', () => {
    expect(classifyLine('2024-05-01 10:00:00 WARN disk almost full')).toBe('warn');
    expect(classifyLine('INFO request failed with ERROR 500')).toBe('info');
    expect(classifyLine('2024/05/01 10:00:00 [error] 123#0: open() failed')).toBe('error');
    expect(classifyLine('ts=1 level=debug msg="cache miss"')).toBe('debug');
    expect(classifyLine('npm ERR! code E404')).toBe('error');
    expect(classifyLine('[preauth] [notice] daemon up')).toBe('info');
    expect(classifyLine('W1122 10:00:13.000000       1 reflector.go:456] watch ended')).toBe('warn');
    expect(classifyLine('E1122 10:00:13.000000       1 main.go:9] boom')).toBe('error');
  });

  it('does not read lower-case words of a sentence as labels', () => {
    expect(labelOf('more info about the user')).toBeUndefined();
    expect(labelOf('errorMessage = ERR_DATA_INSERT')).toBeUndefined();
    expect(classifyLine('Server started on port 3000')).toBe('info');
  });

  it('takes the level of a JSON line from its field, else classifies its message', () => {
    expect(classifyLine('{"level":60,"msg":"out of disk"}')).toBe('fatal');
    expect(classifyLine('{"lvl":"warn","msg":"retrying"}')).toBe('warn');
    expect(classifyLine('{"msg":"TypeError: x is undefined"}')).toBe('error');
    expect(classifyLine('{"msg":"all good"}')).toBe('info');
  });

  it('applies the content rules in order when no label is given', () => {
    expect(classifyLine('panic: runtime error: index out of range')).toBe('fatal');
    expect(classifyLine('Error: connect ECONNREFUSED 127.0.0.1:5432')).toBe('error');
    expect(classifyLine('Traceback (most recent call last):')).toBe('error');
    expect(classifyLine('config key "port" is deprecated')).toBe('warn');
    expect(classifyLine('request timed out after 30s')).toBe('warn');
    expect(classifyLine('debug: cache size 12')).toBe('debug');
  });

  it('reads a warning class as a warning (Node process warnings, Python warnings)', () => {
    for (const line of [
      '(node:4121) MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 close listeners added to [Socket]',
      '(node:77) ExperimentalWarning: The Fetch API is an experimental feature. This feature could change at any time',
      '/srv/app/.venv/lib/python3.11/site-packages/sklearn/base.py:348: FutureWarning: The default of n_init will change from 10 to auto in 1.4',
      '/srv/app/jobs.py:12: UserWarning: no index given, using the first column',
    ])
      expect(classifyLine(line), line).toBe('warn');
    expect(classifyLine('(node:4121) UnhandledPromiseRejectionWarning: Error: boom')).toBe('fatal');
  });

  it('treats stderr as a hint that strengthens weak signals, never as proof', () => {
    expect(classifyLine('Listening on :8080', { stream: 'err' })).toBe('info');
    expect(classifyLine('cannot open config.yml', { stream: 'out' })).toBe('warn');
    expect(classifyLine('cannot open config.yml', { stream: 'err' })).toBe('error');
    expect(classifyLine('    at Server.listen (node:net:1:1)', { stream: 'err' })).toBe('error');
    expect(classifyLine('    at Server.listen (node:net:1:1)', { stream: 'out' })).toBe('info');
    expect(classifyLine('  File "/app/main.py", line 42, in handler', { stream: 'err' })).toBe('error');
  });
});

describe('labelOf: the label read from where the match ends', () => {
  // what labelOf reads after its first-character checks, written the plain way: the match array
  const LABEL =
    /(?<![\w-])(FATAL|CRITICAL|CRIT|PANIC|EMERG|ALERT|ERROR|ERR|SEVERE|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE|VERBOSE|LOG(?=: {2}))(?![\w-])|\[([A-Za-z]{3,8})\]|\b(?:level|lvl|severity|loglevel)[=:] ?"?([A-Za-z]+)/g;
  const reference = (text: string) => {
    LABEL.lastIndex = 0;
    for (let match = LABEL.exec(text); match !== null; match = LABEL.exec(text)) {
      if (match[1] === 'FATAL' && text.startsWith(':  ', match.index + 5)) return 'error';
      const level = parseLevel(match[1] ?? match[2] ?? match[3]);
      if (level !== undefined) return level;
    }
    return undefined;
  };
  const parts = fc.constantFrom(
    ...['level=', 'lvl:', 'severity="', 'loglevel=', 'xlevel=', 'level= "', 'level=  ', 'LEVEL='],
    ...['FATAL', 'FATAL:  ', 'LOG:  ', 'LOG: ', 'ERR', 'ERRORX', 'EMERG', 'CRITICAL', 'WARNING', 'VERBOSE'],
    ...['INFO', 'Info', 'info', 'error', 'level', '[warn]', '[Note]', '[main]', '[INFO', ']', '[', '-', '_'],
    ...[' ', ' ', ':', '=', '"', 'a', '9'],
  );
  const lines = fc.array(parts, { minLength: 1, maxLength: 10 }).map((p) => `x ${p.join('')}`);

  it('gives the level of the leftmost label, as the match array tells it', () => {
    fc.assert(
      fc.property(lines, (line) => {
        expect(labelOf(line)).toBe(reference(line));
      }),
      { numRuns: 5000 },
    );
    for (const line of [
      'x level= level= "FATAL:  down',
      'x loglevel=lvl: FATAL:  -',
      'x xlevel=INFO',
      'x level=FATAL:  a',
      'x [main] [preauth] WARN',
    ])
      expect(labelOf(line), line).toBe(reference(line));
  });
});

describe('createClassifier', () => {
  it('runs custom rules in the order given, first match wins', () => {
    const classify = createClassifier({
      rules: [
        { level: 'debug', pattern: /healthcheck/ },
        { level: 'error', pattern: /boom/ },
        ...DEFAULT_LEVEL_RULES,
      ],
    });
    expect(classify('healthcheck failed')).toBe('debug');
    expect(classify('boom')).toBe('error');
    expect(classify('some exception happened')).toBe('error');
  });

  it('honours flags other than i (here m) in custom rules', () => {
    const classify = createClassifier({ rules: [{ level: 'warn', pattern: /^slow$/m }] });
    expect(classify('fast\nslow')).toBe('warn');
    expect(classify('Slow')).toBe('info');
  });

  it('rejects a rule that is not {level, pattern}', () => {
    expect(() => createClassifier({ rules: [{ level: 'loud' as 'info', pattern: /x/ }] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('rules[0]') }),
    );
  });
});

describe('createClassifier: the rules share one pass', () => {
  // the same rules one by one: a flag the lines cannot tell apart (s: no line holds a newline) keeps them
  // out of the shared expression, so each rule is tried in order
  const oneByOne = (rules: typeof DEFAULT_LEVEL_RULES) =>
    createClassifier({
      rules: rules.map((rule) => ({
        ...rule,
        pattern: new RegExp(rule.pattern.source, `${rule.pattern.flags}s`),
      })),
    });
  const words = fc.constantFrom(
    ...[
      'error',
      'errors',
      'failed',
      'panic',
      'fatal',
      'uncaught',
      'TypeError',
      'NOERROR',
      'liberror-perl',
      'ECONNRESET',
      'cannot',
      'refused',
    ],
    ...[
      'warning',
      'retry',
      'timed out',
      'not found',
      'debug',
      'trace',
      'no',
      '0',
      'zero',
      'without',
      '=0',
      ': 0',
    ],
    ...['=null', '=<nil>', '[]', 'count: 0', 'none,', 'ok', 'user', 'x', '  at f', 'File "a.py", line 3'],
  );
  const lines = fc.array(words, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(' '));
  const streams = fc.constantFrom<'out' | 'err' | undefined>('out', 'err', undefined);

  it('gives every line the level of the rules tried one by one (default rules)', () => {
    const shared = createClassifier();
    const reference = oneByOne(DEFAULT_LEVEL_RULES);
    fc.assert(
      fc.property(lines, streams, (line, stream) => {
        expect(shared(line, { stream })).toBe(reference(line, { stream }));
      }),
      { numRuns: 3000 },
    );
  });

  it("finds the rule of the first match past the rules' own groups, and skips a rule of the other stream", () => {
    const rules = [
      { level: 'fatal' as const, pattern: /(out) of (disk|memory)/i },
      { level: 'error' as const, pattern: /(?:(deny)|(reject))ed/i, stream: 'err' as const },
      { level: 'warn' as const, pattern: /(slow)|(late)/i },
      { level: 'debug' as const, pattern: /\btick\b/i },
    ];
    const shared = createClassifier({ rules });
    const reference = oneByOne(rules);
    for (const line of [
      'slow then out of memory',
      'denied? no: denyed',
      'rejected late',
      'tick slow',
      'tick',
      'x',
    ]) {
      for (const stream of ['out', 'err', undefined] as const)
        expect(shared(line, { stream }), `${line} (${stream})`).toBe(reference(line, { stream }));
    }
    expect(shared('tick, then rejected', { stream: 'err' })).toBe('error');
    expect(shared('tick, then rejected', { stream: 'out' })).toBe('debug');
  });
});
