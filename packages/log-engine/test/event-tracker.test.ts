import { describe, expect, it } from 'vitest';
import { EventTracker, isExceptionLine } from '../src/event-tracker.js';
import type { LogRecord } from '../src/log-record.js';
import { summarize } from '../src/summarize.js';

const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);

/** `lines` of one stream, 10 ms apart from `t`. */
function records(lines: string[], stream: 'out' | 'err', t = T0): LogRecord[] {
  return lines.map((line, i) => ({ ts: t + i * 10, stream, line }));
}

/** What Python's `logging.exception("payment failed")` prints (to stderr). */
const PYTHON_LOGGED = [
  'ERROR:root:payment failed',
  'Traceback (most recent call last):',
  '  File "/app/pay.py", line 10, in charge',
  '    raise ValueError("bad card")',
  'ValueError: bad card',
];

/** What log4j/logback print for `log.error("payment failed", e)`. */
const JAVA_LOGGED = [
  '2026-12-03 10:00:00 ERROR [main] c.x.Foo - payment failed',
  'java.lang.IllegalStateException: boom',
  '\tat c.x.Foo.pay(Foo.java:12)',
  'Caused by: java.io.IOException: reset',
  '\t... 3 more',
];

describe('isExceptionLine', () => {
  it('tells a line that names an exception class first', () => {
    for (const line of [
      'java.lang.IllegalStateException: boom',
      'java.lang.NullPointerException',
      'com.x.Outer$InnerError: x',
      'ValueError: bad card',
      'requests.exceptions.ConnectionError: HTTPSConnectionPool(host=x)',
      'Error: boom',
      'Error [ERR_MODULE_NOT_FOUND]: Cannot find package',
      'Exception: plain',
    ])
      expect(isExceptionLine(line), line).toBe(true);
    for (const line of [
      'ERROR:root:payment failed',
      'error: failed to push some refs',
      'Error handling request: boom',
      'KeyboardInterrupt',
      'Exception in thread "main" java.lang.IllegalStateException: x',
      '2026-12-03 10:00:00 ERROR boom',
      'Errors:3',
    ])
      expect(isExceptionLine(line), line).toBe(false);
  });
});

describe('an exception logged under an error line', () => {
  it('Python logging.exception: one error event, the logged message its message', () => {
    const summary = summarize(records(PYTHON_LOGGED, 'err'));
    expect(summary.levels.error).toBe(1);
    expect(summary.continuationLines).toBe(4);
    expect(summary.lastError?.message).toBe('ERROR:root:payment failed');
  });

  it('Python logging.exception of a chained exception: still one event', () => {
    const lines = [
      'ERROR:root:payment failed',
      'Traceback (most recent call last):',
      '  File "/app/pay.py", line 3, in load',
      "KeyError: 'card'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/pay.py", line 9, in charge',
      'app.errors.PaymentDeclined: bad card',
    ];
    const summary = summarize(records(lines, 'err'));
    expect(summary.levels.error).toBe(1);
    expect(summary.continuationLines).toBe(lines.length - 1);
  });

  it('log4j/logback: the exception line and its frames continue the ERROR line', () => {
    const summary = summarize([...JAVA_LOGGED, '2026-12-03 10:00:01 INFO [main] c.x.Foo - done']);
    expect(summary.levels).toMatchObject({ error: 1, info: 1 });
    expect(summary.continuationLines).toBe(4);
    expect(summary.lastError?.message).toMatch(/ERROR \[main\] c\.x\.Foo - payment failed$/);
  });

  it("Spring Boot: '… with root cause', a blank line, then the exception and its frames are one error event", () => {
    const summary = summarize([
      '2026-12-03 10:00:00.120 ERROR 4242 --- [nio-8080-exec-3] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed; nested exception is java.lang.NullPointerException] with root cause',
      '',
      'java.lang.NullPointerException: Cannot invoke "com.acme.User.getId()" because "user" is null',
      '\tat com.acme.web.UserController.show(UserController.java:57) ~[classes/:na]',
      '\t... 48 common frames omitted',
      '2026-12-03 10:00:01.002  INFO 4242 --- [nio-8080-exec-4] c.a.s.OrderService : done',
    ]);
    expect(summary.levels).toMatchObject({ error: 1, info: 1 });
    expect(summary.continuationLines).toBe(4);
    expect(summary.lastError?.message).toMatch(/with root cause$/);
  });

  it('a logged Python traceback after a blank line continues its error line', () => {
    const summary = summarize(['ERROR:root:payment failed', '', ...PYTHON_LOGGED.slice(1)]);
    expect(summary.levels.error).toBe(1);
  });

  it('a blank line under an info line leaves the exception line its own event', () => {
    const summary = summarize(['INFO done', '', 'java.lang.IllegalStateException: boom']);
    expect(summary.levels).toMatchObject({ error: 1, info: 1 });
  });

  it("Elixir: a logged error and its '** (RuntimeError) boom' with frames are one error event", () => {
    const summary = summarize([
      '09:00:02.456 [error] GenServer MyApp.Worker terminating',
      '** (RuntimeError) boom',
      '    (my_app 0.1.0) lib/my_app/worker.ex:12: MyApp.Worker.handle_info/2',
      '    (stdlib 5.0) gen_server.erl:1077: :gen_server.try_dispatch/4',
      '09:00:03.000 [info] GET /api/x',
    ]);
    expect(summary.levels).toMatchObject({ error: 1, info: 1 });
    expect(summary.continuationLines).toBe(3);
    expect(isExceptionLine('** (ArgumentError) argument error')).toBe(true);
    expect(isExceptionLine('** (EXIT) shutdown')).toBe(false);
    expect(isExceptionLine('** bold text **')).toBe(false);
  });

  it('a FATAL line followed by its exception is one fatal event', () => {
    const summary = summarize(['FATAL cannot start', 'java.lang.OutOfMemoryError: Java heap space']);
    expect(summary.levels).toMatchObject({ fatal: 1, error: 0 });
  });

  it('Node: a logged message then console.error(err) is one event', () => {
    const summary = summarize(
      records(['payment failed for order 7', 'Error: boom', '    at charge (/app/pay.js:3:9)'], 'err'),
    );
    expect(summary.levels.error).toBe(1);
    expect(summary.lastError?.message).toBe('payment failed for order 7');
  });

  it('lines of the other stream between the error line and its exception do not part them', () => {
    const input = [
      { ts: T0, stream: 'err' as const, line: JAVA_LOGGED[0]! },
      { ts: T0, stream: 'out' as const, line: 'GET /health 200' },
      ...records(JAVA_LOGGED.slice(1), 'err'),
    ];
    expect(summarize(input).levels.error).toBe(1);
  });

  it('a JSON line wrapping the exception (Velos json log format) continues the error line', () => {
    const summary = summarize([
      '{"ts":"2026-12-03T10:00:00Z","lvl":"error","msg":"ERROR:root:payment failed","src":"err"}',
      '{"ts":"2026-12-03T10:00:00Z","lvl":"error","msg":"Traceback (most recent call last):","src":"err"}',
      '{"ts":"2026-12-03T10:00:00Z","lvl":"error","msg":"  File \\"a.py\\", line 1, in f","src":"err"}',
      '{"ts":"2026-12-03T10:00:00Z","lvl":"error","msg":"ValueError: bad card","src":"err"}',
    ]);
    expect(summary.levels.error).toBe(1);
    expect(summary.continuationLines).toBe(3);
  });
});

describe('an exception line that starts its own event', () => {
  it('standing alone: an uncaught Node error counts once', () => {
    const summary = summarize(
      records(['server listening', 'Error: x', '    at Object.<anonymous> (/app/index.js:3:9)'], 'err'),
    );
    expect(summary.levels.error).toBe(1);
    expect(summary.lastError?.message).toBe('Error: x');
  });

  it("Node's uncaught exception banner: the source line it echoes (unindented too) and the caret are no events", () => {
    for (const source of ["throw new Error('config missing');", "    throw new Error('config missing');"]) {
      const summary = summarize(
        records(
          [
            'starting',
            '/srv/app/throw.js:2',
            source,
            source.replace(/\S.*$/, '^'),
            '',
            'Error: config missing',
            '    at Object.<anonymous> (/srv/app/throw.js:2:7)',
            '',
            'Node.js v20.20.2',
          ],
          'err',
        ),
      );
      expect(summary.levels.error, source).toBe(1);
      expect(summary.lastError?.message, source).toBe('Error: config missing');
      expect(summary.top.map((p) => p.template).join('\n'), source).not.toMatch(/throw new|^\^/m);
    }
  });

  it('a path with a line number that is no banner leaves the next line its own event', () => {
    const summary = summarize(records(['/srv/app/notes.txt:2', 'ERROR disk full'], 'err'));
    expect(summary.levels.error).toBe(1);
    expect(summary.lastError?.message).toBe('ERROR disk full');
  });

  it('after an error line of the other stream', () => {
    const input = [
      { ts: T0, stream: 'out' as const, line: 'ERROR payment failed' },
      { ts: T0, stream: 'err' as const, line: 'ValueError: bad card' },
    ];
    expect(summarize(input).levels.error).toBe(2);
  });

  it('after a line that is no error: a traceback after an info line', () => {
    const summary = summarize(
      records(
        [
          'INFO:root:starting',
          'Traceback (most recent call last):',
          '  File "a.py", line 1',
          'ValueError: x',
        ],
        'err',
      ),
    );
    expect(summary.levels).toMatchObject({ error: 1, info: 1 });
    expect(summary.lastError?.message).toBe('ValueError: x');
  });

  it('after another line between: two events', () => {
    const summary = summarize(['ERROR payment failed', 'INFO retrying', 'ValueError: bad card']);
    expect(summary.levels.error).toBe(2);
  });

  it('two logged exceptions, each with frames, or one line each: one event each', () => {
    const framed = [
      'Error: first',
      '    at a (/app/a.js:1:1)',
      'Error: second',
      '    at b (/app/b.js:1:1)',
      'java.lang.IllegalStateException: third',
      '\tat c.x.C.c(C.java:1)',
    ];
    expect(summarize(records(framed, 'err')).levels.error).toBe(3);
    const flood = [
      'Error: connect ECONNREFUSED',
      'Error: connect ECONNREFUSED',
      'Error: connect ECONNREFUSED',
    ];
    expect(summarize(records(flood, 'err')).levels.error).toBe(3);
    const logged = ['ERROR payment failed', 'ERROR payment failed', 'ERROR payment failed'];
    expect(summarize(records(logged, 'err')).levels.error).toBe(3);
  });

  it('two tracebacks one after the other, not chained: one event each', () => {
    const one = ['Traceback (most recent call last):', '  File "a.py", line 1, in f', 'ValueError: a'];
    expect(summarize(records([...one, ...one], 'err')).levels.error).toBe(2);
  });
});

describe('EventTracker', () => {
  it('classifies the line that starts an event only when its level is asked for', () => {
    const asked: string[] = [];
    const events = new EventTracker((text) => {
      asked.push(text);
      return text.startsWith('ERROR') ? 'error' : 'info';
    });
    expect(events.judge('[web] GET / 200', 'out')).toBe(false);
    expect(events.judge('[web] GET /a 200', 'out')).toBe(false);
    expect(asked).toEqual([]);
    expect(events.judge('ERROR payment failed', 'err')).toBe(false);
    expect(events.judge('ValueError: bad card', 'err')).toBe(true);
    expect(asked).toEqual(['ERROR payment failed']);
    expect(events.level('err')).toBe('error');
    events.forget('err');
    expect(events.judge('ValueError: bad card', 'err')).toBe(false);
  });
});
