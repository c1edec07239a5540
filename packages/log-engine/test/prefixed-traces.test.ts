import { describe, expect, it } from 'vitest';
import { type LogRecord, startsEventAlone } from '../src/log-record.js';
import { summarize } from '../src/summarize.js';
import type { Summary } from '../src/summary.js';
import { formatSummary, summaryToJson } from '../src/summary-format.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

/** What `console.error(err)` prints on Node 22 for a failed query, under an express handler. */
const NODE_TRACE = [
  "TypeError: Cannot read properties of undefined (reading 'id')",
  '    at getUser (/srv/app/routes/users.js:41:23)',
  '    at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)',
  '    at next (/srv/app/node_modules/express/lib/router/route.js:149:13)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  '    at async Promise.all (index 0)',
];
/** Python's `logging.exception` under its own format line. */
const PYTHON_TRACE = [
  'ERROR worker: job 7 failed',
  'Traceback (most recent call last):',
  '  File "/srv/worker/jobs.py", line 88, in run',
  '    total = parse_row(row)',
  '            ^^^^^^^^^^^^^^',
  '  File "/srv/worker/parse.py", line 12, in parse_row',
  "    return int(row['amount'])",
  "ValueError: invalid literal for int() with base 10: '12,5'",
];
/** A Spring Boot request that failed, with its cause. */
const JAVA_TRACE = [
  'ERROR 1 --- [nio-8080-exec-3] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() failed',
  'org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection',
  '\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)',
  '\tat com.acme.orders.OrderService.place(OrderService.java:54)',
  'Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available',
  '\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)',
  '\t... 48 more',
];
const INFO = (i: number) => `GET /api/orders/${1000 + i} 200 ${(i % 40) + 3}ms`;

/** Every line behind a prefix the way a runtime or a shipper writes it. */
const PREFIXES: [string, (i: number, isTrace: boolean) => string][] = [
  ['docker compose', () => 'api-1  | '],
  ['kubectl --timestamps', (i) => `${new Date(T0 + i * 10).toISOString().replace('Z', '123456Z')} `],
  ['journald', (i) => `Nov 22 10:00:${String(Math.floor(i / 100) % 60).padStart(2, '0')} web-3 node[4121]: `],
  [
    'a time and a level tag',
    (i, isTrace) => `${new Date(T0 + i * 10).toISOString()} [${isTrace ? 'ERROR' : 'INFO'}] `,
  ],
  ['none', () => ''],
];

/** 300 request lines with `traces` copies of `trace` among them, every line behind `prefix`. */
function logOf(
  trace: string[],
  traces: number,
  prefix: (i: number, isTrace: boolean) => string,
): LogRecord[] {
  const lines: [string, boolean][] = [];
  for (let i = 0; i < 300; i++) {
    lines.push([INFO(i), false]);
    if (i % Math.floor(300 / traces) === 7) for (const line of trace) lines.push([line, true]);
  }
  return lines.map(([line, isTrace], i) => ({
    ts: T0 + i * 10,
    stream: 'out',
    line: prefix(i, isTrace) + line,
  }));
}

/** The templates of `summary` that hold a stack frame or a trace's inner line. */
function frameTemplates(summary: Summary): string[] {
  return summary.top
    .map((p) => p.template)
    .filter((t) => / at |File "|File <str>|Caused by|more$|\^\^\^|int\(row/.test(t));
}

describe('stack traces behind a prefix every line repeats', () => {
  for (const [name, prefix] of PREFIXES) {
    it(`${name}: a Node trace is one error event, its template counted once per trace with its top frame`, () => {
      const summary = summarize(logOf(NODE_TRACE, 12, prefix), { top: 10 });
      expect(summary.levels.error).toBe(12);
      expect(summary.continuationLines).toBe(12 * (NODE_TRACE.length - 1));
      expect(frameTemplates(summary)).toEqual([]);
      const error = summary.errors[0]!;
      expect(error.template).toContain('TypeError: Cannot read properties of undefined');
      expect(error.count).toBe(12);
      expect(error.frame).toBe('at getUser (/srv/app/routes/users.js:41:23)');
      expect(summary.top.map((p) => p.template)).toHaveLength(2);
    });

    it(`${name}: a logged Python traceback is one error event, its frame the innermost`, () => {
      const summary = summarize(logOf(PYTHON_TRACE, 10, prefix), { top: 10 });
      expect(summary.levels.error).toBe(10);
      expect(summary.continuationLines).toBe(10 * (PYTHON_TRACE.length - 1));
      expect(frameTemplates(summary)).toEqual([]);
      expect(summary.errors[0]).toMatchObject({
        count: 10,
        frame: 'File "/srv/worker/parse.py", line 12, in parse_row',
      });
      expect(summary.errors[0]!.template).toContain('job <num> failed');
    });

    it(`${name}: a Java exception with its cause is one error event, its frame the first`, () => {
      const summary = summarize(logOf(JAVA_TRACE, 10, prefix), { top: 10 });
      // behind a level tag, the exception line under the logged error is an event of its own: `ERROR
      // TypeError: x` after `ERROR payment failed` is one too, and the two cannot be told apart
      const events = name === 'a time and a level tag' ? 2 : 1;
      expect(summary.levels.error).toBe(10 * events);
      expect(summary.continuationLines).toBe(10 * (JAVA_TRACE.length - events));
      expect(frameTemplates(summary)).toEqual([]);
      expect(summary.errors.find((p) => p.frame !== undefined)).toMatchObject({
        count: 10,
        frame:
          'at org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)',
      });
    });
  }

  it('shows the top frame under its template, in text and JSON', () => {
    const summary = summarize(logOf(NODE_TRACE, 12, PREFIXES[0]![1]), { top: 3 });
    const text = formatSummary(summary, { utc: true }).split('\n');
    const at = text.findIndex((line) => line.includes('TypeError'));
    expect(text[at + 1]!.trim()).toBe('at getUser (/srv/app/routes/users.js:41:23)');
    const json = summaryToJson(summary);
    expect(json.top.find((p) => p.template.includes('TypeError'))?.frame).toBe(
      'at getUser (/srv/app/routes/users.js:41:23)',
    );
  });

  it('keeps lines that share a prefix and are no trace as events of their own', () => {
    const lines = [
      'api-1  | GET /api/orders/1 200 3ms',
      'api-1  |  GET /api/orders/2 200 3ms',
      'api-1  | Config loaded [ok]',
      'api-1  | Config loaded [ok]',
      'api-1  | ERROR payment failed: card declined',
      'api-1  | ERROR TypeError: x is not a function',
      'api-1  | at 10:00 the backup starts (nightly)',
      '[    1.234567] usb 1-1: new device',
      '[   12.345678] usb 1-2: new device',
      '2026-11-22 10:00:00.000  INFO 1 --- [main] c.a.App : started',
      '2026-11-22 10:00:00.001  WARN 1 --- [main] c.a.App : slow',
    ];
    const summary = summarize(lines);
    expect(summary.continuationLines).toBe(0);
    expect(summary.levels.error).toBe(2);
  });

  it("Rails: an exception's blank lines and trace behind the header and request id are one fatal event", () => {
    const rid = '[0b5c1d7e-1111-4222-8333-944455556666]';
    const at = (ms: number, sev: string): string =>
      `${sev[0]}, [2026-03-14T09:00:00.${String(ms).padStart(6, '0')} #596] ${sev.padStart(5)} -- : ${rid}`;
    const lines = [
      `${at(100, 'INFO')} Processing by ProductsController#show as HTML`,
      `${at(120, 'INFO')} Completed 404 Not Found in 3ms (ActiveRecord: 0.4ms | Allocations: 1021)`,
      `${at(121, 'FATAL')}   `,
      `${at(122, 'FATAL')} ActiveRecord::RecordNotFound (Couldn't find Product with 'id'=1):`,
      `${at(123, 'FATAL')}   `,
      `${at(124, 'FATAL')} app/controllers/products_controller.rb:5:in \`show'`,
      `${rid} app/controllers/application_controller.rb:12:in \`block in around'`,
      `${rid} /usr/local/bundle/gems/actionpack-7.1.2/lib/abstract_controller/base.rb:224:in 'AbstractController::Base#process_action'`,
      `${at(900, 'INFO')} Started GET "/products/2" for 127.0.0.1 at 2026-03-14 09:00:01 +0000`,
    ];
    const summary = summarize(lines);
    expect(summary.levels).toMatchObject({ fatal: 1, info: 3 });
    expect(summary.continuationLines).toBe(5);
    expect(summary.lastError?.message).toMatch(/ActiveRecord::RecordNotFound/);
    expect(summary.errors[0]?.frame).toBe("app/controllers/products_controller.rb:5:in `show'");
    // a sampler re-reads the lines before these: alone, they would be events
    for (const line of lines.slice(2, 8).filter((l) => !l.includes('RecordNotFound')))
      expect(startsEventAlone(line), line).toBe(false);
  });

  it("zap's console lines (time, tab, level, tab) after a Go panic or a Node crash are records, not its trace", () => {
    const zap = [
      '2026-03-14T09:00:02.000Z\tINFO\tserver/main.go:20\tstarting',
      '2026-03-14T09:00:03.000Z\tERROR\tserver/handler.go:88\tfailed to fetch user',
      '2026-03-14T09:00:04.000Z\tINFO\tserver/handler.go:90\tok',
    ];
    const panic = ['panic: boom', '', 'goroutine 1 [running]:', 'main.main()', '\t/app/main.go:10 +0x1d'];
    const afterPanic = summarize([...panic, ...zap]);
    expect(afterPanic.levels).toMatchObject({ fatal: 1, error: 1, info: 2 });
    expect(afterPanic.continuationLines).toBe(4);
    const afterCrash = summarize(['Error: boom', '    at f (/srv/a.js:1:2)', ...zap]);
    expect(afterCrash.levels).toMatchObject({ error: 2, info: 2 });
    // a trace whose every line has the time still is one event
    const timed = summarize([
      '2026-03-14T09:00:01.000Z ERROR payment failed',
      '2026-03-14T09:00:01.000Z Traceback (most recent call last):',
      '2026-03-14T09:00:01.000Z   File "/srv/pay.py", line 3, in charge',
      '2026-03-14T09:00:01.000Z \ttotal = parse_row(row)',
      '2026-03-14T09:00:01.000Z ValueError: bad card',
    ]);
    expect(timed.levels.error).toBe(1);
    expect(timed.continuationLines).toBe(4);
  });

  it("zap's stacktrace (Go functions without arguments, each over its file line) continues its error line", () => {
    const summary = summarize([
      '2026-03-14T09:00:01.000Z\tERROR\tserver/handler.go:88\tfailed to fetch user\t{"user_id": 7}',
      'main.(*Server).handle',
      '\t/app/server/handler.go:88',
      'net/http.HandlerFunc.ServeHTTP',
      '\t/usr/local/go/src/net/http/server.go:2136',
      '2026-03-14T09:00:02.000Z\tINFO\tserver/main.go:20\tready',
      'main.handler',
    ]);
    expect(summary.levels).toMatchObject({ error: 1, info: 2 });
    expect(summary.continuationLines).toBe(4);
  });

  it('tells a sampler that a trace line behind a prefix depends on the lines before it', () => {
    for (const line of [
      'api-1  |     at getUser (/srv/app/routes/users.js:41:23)',
      'api-1  | at getUser (/srv/app/routes/users.js:41:23)',
      '2026-11-22T10:00:00.000Z [ERROR]   File "/srv/worker/jobs.py", line 88, in run',
      'web-3 node[4121]:     total = parse_row(row)',
    ])
      expect(startsEventAlone(line), line).toBe(false);
    for (const line of ['api-1  | GET /api/orders/1 200 3ms', 'we meet at noon (room 2)'])
      expect(startsEventAlone(line), line).toBe(true);
  });
});
