import { describe, expect, it } from 'vitest';
import { isContinuationLine } from '../src/continuation.js';
import { LogEngine } from '../src/log-engine.js';
import type { LogRecord } from '../src/log-record.js';
import { summarize } from '../src/summarize.js';
import { formatSummary, summaryToJson } from '../src/summary-format.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

/** `lines` of one stream, one second apart from `t`. */
function records(lines: string[], stream: 'out' | 'err', t: number): LogRecord[] {
  return lines.map((line, i) => ({ ts: t + i * 1000, stream, line }));
}

/** What `console.error(err)` and an uncaught throw print on Node 20. */
const NODE_LOGGED = [
  'Error: connect ECONNREFUSED 127.0.0.1:5432',
  '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)',
  '    at process.processTimers (node:internal/timers:519:7)',
  '',
];
const NODE_CRASH = [
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
];

const JAVA = [
  '2026-11-22 10:00:00,001 INFO  [main] c.e.Store - opened volume /dev/sda1',
  '2026-11-22 10:00:01,002 INFO  [main] c.e.Store - write batch 1',
  '2026-11-22 10:00:02,003 FATAL [main] c.e.Store - disk /dev/sda1 is full, stopping writes',
  'Exception in thread "writer" java.lang.IllegalStateException: store closed',
  '\tat com.example.Store.write(Store.java:88)',
  '\tat com.example.Writer.run(Writer.java:41)',
  'Caused by: java.io.IOException: No space left on device',
  '\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)',
  '\t... 2 more',
  '2026-11-22 10:00:03,004 INFO  [main] c.e.Store - write batch 2',
];

const PYTHON = [
  'INFO:worker:job 1 done',
  'Traceback (most recent call last):',
  '  File "/srv/worker.py", line 40, in <module>',
  '    main()',
  '  File "/srv/worker.py", line 31, in main',
  '    total = parse(row)',
  '  File "/srv/worker.py", line 12, in parse',
  '    return int(value)',
  '           ^^^^^^^^^^',
  "ValueError: invalid literal for int() with base 10: 'abc'",
];

const PYTHON_CHAINED = [
  'Traceback (most recent call last):',
  '  File "/srv/app.py", line 3, in load',
  "    return cfg['port']",
  "KeyError: 'port'",
  '',
  'During handling of the above exception, another exception occurred:',
  '',
  'Traceback (most recent call last):',
  '  File "/srv/app.py", line 9, in <module>',
  '    load()',
  'RuntimeError: no port configured',
];

const GO = [
  'panic: runtime error: index out of range [5] with length 3',
  '',
  'goroutine 1 [running]:',
  'main.lookup(...)',
  '\t/srv/main.go:14',
  'main.main()',
  '\t/srv/main.go:9 +0x1d',
  'net/http.(*conn).serve(0xc0000b2000, {0x6f8d88, 0xc00009e0f0})',
  '\t/usr/local/go/src/net/http/server.go:2009 +0x8ae',
  'created by net/http.(*Server).Serve in goroutine 1',
  '\t/usr/local/go/src/net/http/server.go:3086 +0x5cb',
  'exit status 2',
];

describe('isContinuationLine', () => {
  it('tells the lines that continue an event from those that start one', () => {
    const continuations = [
      '',
      '   ',
      '    at foo (file.js:1:2)',
      '\tat com.example.App.main(App.java:12)',
      'Caused by: java.io.IOException: disk',
      '... 12 more',
      'Traceback (most recent call last):',
      '  File "/srv/a.py", line 3, in f',
      'During handling of the above exception, another exception occurred:',
      'The above exception was the direct cause of the following exception:',
      'goroutine 7 [chan receive]:',
      'main.main()',
      'created by main.main in goroutine 1',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f2a6]',
      '\u00a0at odd frame',
      '}',
      '},',
      ']',
      '})',
      'Stack trace:',
      '[stacktrace]',
      '"} ',
      'stack backtrace:',
      'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace',
      " 'port': 8080}",
      ' - Local:        http://localhost:3000',
    ];
    for (const line of continuations) expect(isContinuationLine(line), JSON.stringify(line)).toBe(true);
    const events = [
      'Error: boom after flood',
      "ValueError: invalid literal for int() with base 10: 'abc'",
      'panic: runtime error: index out of range [5] with length 3',
      'Exception in thread "main" java.lang.IllegalStateException: x',
      '2026-11-22 10:00:02 FATAL disk full',
      'GET /api/users/1 200 3ms',
      'Calling service.start()',
      'Cache cleared',
      '  {"level":"error","msg":"indented JSON is a record"}',
      'goroutine leak suspected: 4000 goroutines',
      '} else {',
      ']] done',
      'Stack trace: none kept',
      'note: the cache was cleared',
      ' ✓ Ready in 2.1s',
      ' ⚠️ Invalid next.config.js options detected',
      ' 🚀 server listening',
    ];
    for (const line of events) expect(isContinuationLine(line), line).toBe(false);
  });
});

describe('multi-line events', () => {
  it('Node: a flood, logged errors and a crash count one error per error, the crash last', () => {
    const input: LogRecord[] = [];
    let t = T0;
    for (let i = 0; i < 300; i++) {
      input.push({ ts: t, stream: 'out', line: `tick ${i} processed 12 items` });
      t += 10;
      if (i % 100 === 50) {
        input.push(...records(NODE_LOGGED, 'err', t));
        t += 10_000;
      }
    }
    input.push(...records(NODE_CRASH, 'err', t));
    const summary = summarize(input, { top: 2 });
    expect(summary.levels.error).toBe(4);
    expect(summary.levels.fatal).toBe(0);
    expect(summary.lastError?.message).toBe('Error: boom after flood');
    expect(summary.continuationLines).toBe(3 * 3 + 7);
    expect(summary.lines).toBe(input.length);
    for (const p of summary.top) {
      expect(p.template.trim()).not.toBe('');
      expect(p.template).not.toMatch(/^\s*at /);
    }
    expect(summary.errors.map((p) => p.template)).toContain('Error: boom after flood');
    const text = formatSummary(summary, { utc: true });
    expect(text).toContain('last error');
    expect(text).toMatch(/last error [^\n]*: Error: boom after flood/);
    expect(text).toMatch(/^errors: .*Error: boom after flood/m);
    expect(summaryToJson(summary).errors?.some((e) => e.template === 'Error: boom after flood')).toBe(true);
  });

  it('Node: an error printed with its properties is one event, its closing brace no line of its own', () => {
    const logged = [
      'Error: connect ECONNREFUSED 127.0.0.1:5432',
      '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16) {',
      '  errno: -111,',
      "  code: 'ECONNREFUSED',",
      "  syscall: 'connect',",
      '  port: 5432',
      '}',
    ];
    const input = [...records(['server listening on 3000'], 'out', T0), ...records(logged, 'err', T0 + 1000)];
    const summary = summarize(input, { top: 5 });
    expect(summary.levels.error).toBe(1);
    expect(summary.continuationLines).toBe(6);
    expect(summary.top.map((p) => p.template.trim())).not.toContain('}');
  });

  it("Node: a process warning and its '(Use `node --trace-warnings ...`' hint are one warning", () => {
    const printed = [
      '(node:4121) MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 close listeners added to [Socket]. Use emitter.setMaxListeners() to increase limit',
      '(Use `node --trace-warnings ...` to show where the warning was created)',
      '(node:4121) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues.',
      '(Use `node --trace-deprecation ...` to show where the warning was created)',
    ];
    const summary = summarize(records(printed, 'err', T0), { top: 5 });
    expect(summary.levels.warn).toBe(2);
    expect(summary.continuationLines).toBe(2);
    expect(summary.templates).toBe(2);
  });

  it('Java: the rare FATAL is listed among the errors, Caused by is never the last error', () => {
    const input: string[] = [];
    for (let i = 0; i < 200; i++)
      input.push(`2026-11-22 10:00:00,001 INFO  [main] c.e.Store - write batch ${i}`);
    input.push(...JAVA);
    const summary = summarize(input);
    expect(summary.levels.fatal).toBe(1);
    expect(summary.levels.error).toBe(1); // Exception in thread …
    expect(summary.continuationLines).toBe(5);
    expect(summary.lastError?.message).toMatch(/^Exception in thread "writer"/);
    expect(summary.errors[0]?.level).toBe('fatal');
    expect(summary.errors[0]?.template).toMatch(/FATAL .*is full, stopping writes/);
    expect(summaryToJson(summary).continuationLines).toBe(5);
  });

  it('Python: a traceback is one error event, its message the final exception line', () => {
    const engine = new LogEngine();
    for (const line of PYTHON) engine.push({ ts: T0, stream: 'err', line });
    const summary = engine.summary();
    expect(summary.levels.error).toBe(1);
    expect(summary.levels.info).toBe(1);
    expect(summary.continuationLines).toBe(8);
    expect(summary.lastError?.message).toBe("ValueError: invalid literal for int() with base 10: 'abc'");
    expect(summary.errors).toHaveLength(1);
  });

  it('Python: chained tracebacks are one event, the first exception line its message', () => {
    const summary = summarize(records(PYTHON_CHAINED, 'err', T0));
    expect(summary.levels.error).toBe(1);
    expect(summary.lastError?.message).toBe("KeyError: 'port'");
    expect(summary.templates).toBe(1);
    expect(summary.continuationLines).toBe(PYTHON_CHAINED.length - 1);
  });

  it('Go: a panic is one fatal event, its goroutine dump continuation lines', () => {
    const summary = summarize(records(GO, 'err', T0));
    expect(summary.levels.fatal).toBe(1);
    expect(summary.levels.error).toBe(0);
    expect(summary.levels.info).toBe(1); // exit status 2
    expect(summary.continuationLines).toBe(GO.length - 2);
    expect(summary.lastError?.message).toMatch(/^panic: runtime error/);
  });

  it("Rust: a panic is one fatal event, its message on the line under 'panicked at' and its backtrace continuation lines", () => {
    const panic = (message: string) => [
      "thread 'main' panicked at src/main.rs:5:5:",
      message,
      'stack backtrace:',
      '   0: rust_begin_unwind',
      '             at /rustc/90b35a623/library/std/src/panicking.rs:645:5',
      'note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.',
    ];
    const lines = [
      'listening on 0.0.0.0:8080',
      ...panic('called `Option::unwrap()` on a `None` value'),
      'listening on 0.0.0.0:8080',
      "thread 'tokio-runtime-worker' panicked at src/db.rs:41:9:",
      'connection pool exhausted',
      'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace',
    ];
    const summary = summarize(records(lines, 'err', T0));
    expect(summary.levels).toEqual({ fatal: 2, error: 0, warn: 0, info: 2, debug: 0 });
    expect(summary.continuationLines).toBe(lines.length - 4);
    expect(summary.templates).toBe(3); // listening, and each panic's place
    expect(summary.lastError?.message).toBe("thread 'tokio-runtime-worker' panicked at src/db.rs:41:9:");
    // a line of the same words with no panic over it is an event of its own
    const alone = summarize(records(['called `Option::unwrap()` on a `None` value'], 'err', T0));
    expect(alone.continuationLines).toBe(0);
  });

  it("PHP: an uncaught exception and Laravel's logged one are one event each, their top frame the first #0 line", () => {
    const lines = [
      '[04-Dec-2024 10:00:00 UTC] PHP Fatal error:  Uncaught RuntimeException: boom in /var/www/index.php:3',
      'Stack trace:',
      '#0 /var/www/index.php(7): f()',
      '#1 {main}',
      '  thrown in /var/www/index.php on line 3',
      '[2024-12-04 10:00:01] production.ERROR: Call to undefined method App\\Models\\User::foo() {"exception":"[object] (BadMethodCallException(code: 0): x at /var/www/app/Jobs/SyncUser.php:12)',
      '[stacktrace]',
      '#0 /var/www/app/Jobs/SyncUser.php(12): App\\Models\\User->foo()',
      '#1 [internal function]: App\\Jobs\\SyncUser->handle()',
      '#2 {main}',
      '"} ',
      '[2024-12-04 10:00:02] production.WARNING: queue slow',
    ];
    const summary = summarize(records(lines, 'err', T0));
    expect(summary.levels).toEqual({ fatal: 1, error: 1, warn: 1, info: 0, debug: 0 });
    expect(summary.continuationLines).toBe(lines.length - 3);
    expect(summary.errors.map((e) => e.frame)).toEqual([
      '#0 /var/www/index.php(7): f()',
      '#0 /var/www/app/Jobs/SyncUser.php(12): App\\Models\\User->foo()',
    ]);
  });

  it('Next.js: lines indented by one space behind a status glyph are events, the trace under one continues it', () => {
    const lines = [
      ' ✓ Starting...',
      ' ✓ Ready in 2.1s',
      " ⨯ Error: ENOENT: no such file or directory, open '/app/.next/BUILD_ID'",
      '    at async open (node:internal/fs/promises:639:25) {',
      '  errno: -2,',
      "  code: 'ENOENT'",
      '}',
      ' ⚠ Invalid next.config.js options detected:',
      ' ⨯ unhandledRejection: TypeError: fetch failed',
    ];
    const summary = summarize(records(lines, 'out', T0));
    expect(summary.levels).toEqual({ fatal: 1, error: 1, warn: 1, info: 2, debug: 0 });
    expect(summary.continuationLines).toBe(4);
    expect(summary.lastError?.message).toBe(' ⨯ unhandledRejection: TypeError: fetch failed');
  });

  it(".NET: an unhandled exception is one error event, its top frame the first 'at' line", () => {
    const lines = [
      'Unhandled exception. System.InvalidOperationException: Order 17 has no lines',
      '   at Shop.Api.OrdersController.Checkout(Int32 id) in /src/Shop.Api/OrdersController.cs:line 42',
      '   at Program.<Main>$(String[] args) in /src/Program.cs:line 5',
    ];
    const summary = summarize(records(lines, 'err', T0));
    expect(summary.levels.error).toBe(1);
    expect(summary.continuationLines).toBe(2);
    expect(summary.errors[0]?.frame).toBe(
      'at Shop.Api.OrdersController.Checkout(Int32 id) in /src/Shop.Api/OrdersController.cs:line 42',
    );
  });

  it("java.util.logging: a record of a time and source line and a level line is one event, at the second line's level", () => {
    const input = [
      'Mar 14, 2026 9:00:09 PM com.x.Y start',
      'INFO: started in 120 ms',
      'Mar 14, 2026 9:00:10 PM com.x.Y method',
      'SEVERE: message 1 broke',
      'java.lang.IllegalStateException: closed',
      '\tat com.x.Y.method(Y.java:12)',
      // the next record after an error's trace: a header, then its own level, not the error's frames
      'Mar 14, 2026 9:00:11 PM com.x.Y method',
      'SEVERE: message 2 broke',
      'Mar 14, 2026 9:00:12 PM com.x.Pool',
      'WARNING: pool low',
    ];
    const summary = summarize(input);
    expect(summary.levels).toEqual({ fatal: 0, error: 2, warn: 1, info: 1, debug: 0 });
    expect(summary.continuationLines).toBe(6);
    expect(summary.lastError?.message).toBe('SEVERE: message 2 broke');
    expect(summary.errors.map((pattern) => pattern.count)).toEqual([2]);
    const engine = new LogEngine();
    const parsed = input.map((line) => engine.parseRecord(line));
    // the header is no event's line and names no frame (the trace before it ended)
    expect(parsed[6]).toMatchObject({ isContinuation: true, frame: undefined });
    expect(parsed[7]).toMatchObject({
      isContinuation: false,
      level: 'error',
      message: 'SEVERE: message 2 broke',
    });
    // a one-line format with the same time is an event of its own, as is a syslog line
    for (const line of [
      'Mar 14, 2026 9:00:10 PM INFO com.x.Y: all one line here',
      'Mar 14 21:00:10 host app[1]: x',
      'Mar 14, 2026 9:00:10 PM',
    ])
      expect(isContinuationLine(line), line).toBe(false);
  });

  it('a JSON line that wraps a stack frame continues its event', () => {
    const summary = summarize([
      '{"ts":"2026-11-22T10:00:00Z","lvl":"error","msg":"Error: db down","src":"err"}',
      '{"ts":"2026-11-22T10:00:00Z","lvl":"error","msg":"    at Pool.connect (pool.js:3:9)","src":"err"}',
    ]);
    expect(summary.levels.error).toBe(1);
    expect(summary.continuationLines).toBe(1);
    expect(summary.lastError?.message).toBe('Error: db down');
  });

  it('a continuation line takes the level of its event when parsed', () => {
    const engine = new LogEngine();
    expect(engine.parseRecord({ line: 'Error: x', stream: 'err' }).level).toBe('error');
    const frame = engine.parseRecord({ line: '    at f (a.js:1:1)', stream: 'err' });
    expect(frame).toMatchObject({ isContinuation: true, level: 'error' });
    expect(engine.push({ line: '    at f (a.js:1:1)', stream: 'err' }).templateId).toBe(-1);
  });
});

describe('errors in a summary', () => {
  it('lists at most errorsTop templates, fatal first, the last error always among them', () => {
    const lines: string[] = [];
    for (let k = 0; k < 8; k++) for (let i = 0; i <= k; i++) lines.push(`ERROR job kind${k} failed`);
    lines.push('FATAL disk gone');
    for (let i = 0; i < 20; i++) lines.push('ERROR job kind7 failed');
    lines.push('ERROR rare last thing');
    const summary = summarize(lines, { errorsTop: 3 });
    expect(summary.errors).toHaveLength(3);
    expect(summary.errors[0]?.template).toBe('FATAL disk gone');
    expect(summary.errors[2]?.template).toBe('ERROR rare last thing');
  });
});

describe('PostgreSQL DETAIL, HINT, STATEMENT lines', () => {
  it('continue the message before them: one error event', () => {
    const pg = [
      '2024-12-04 10:00:00.123 UTC [77] ERROR:  duplicate key value violates unique constraint "orders_pkey"',
      '2024-12-04 10:00:00.123 UTC [77] DETAIL:  Key (id)=(42) already exists.',
      '2024-12-04 10:00:00.123 UTC [77] STATEMENT:  INSERT INTO orders (id) VALUES ($1)',
      '2024-12-04 10:00:01.000 UTC [78] LOG:  connection received: host=10.0.0.7 port=5000',
      'HINT:  No function matches the given name and argument types.',
    ];
    expect(pg.map(isContinuationLine)).toEqual([false, true, true, false, true]);
    const summary = summarize(pg);
    expect(summary.levels).toMatchObject({ error: 1, info: 1 });
    expect(summary.continuationLines).toBe(3);
    expect(isContinuationLine('DETAIL: one space is a sentence')).toBe(false);
  });

  it('continue it without a prefix too (psql, a log_line_prefix of nothing): DETAIL, CONTEXT, HINT, STATEMENT', () => {
    const pg = [
      'ERROR:  insert or update on table "orders" violates foreign key constraint "orders_user_fkey"',
      'DETAIL:  Key (user_id)=(7) is not present in table "users".',
      'CONTEXT:  SQL function "place_order" statement 1',
      'HINT:  Check the user id.',
      'STATEMENT:  SELECT place_order(7)',
      'LOG:  checkpoint starting: time',
    ];
    expect(pg.map(isContinuationLine)).toEqual([false, true, true, true, true, false]);
    const summary = summarize(pg);
    expect(summary.levels).toMatchObject({ error: 1, info: 1 });
    expect(summary.continuationLines).toBe(4);
    // the lines those initials otherwise begin stay what they were
    expect(isContinuationLine('Caused by: java.io.IOException: x')).toBe(true);
    expect(isContinuationLine(CHAINED_DURING_LINE)).toBe(true);
    expect(isContinuationLine('CONTEXT: one space is a sentence')).toBe(false);
    expect(isContinuationLine('Database ready')).toBe(false);
  });
});

const CHAINED_DURING_LINE = 'During handling of the above exception, another exception occurred:';
