import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dedupe, formatDedupeEntry } from '../src/dedupe.js';
import { parseDotnetHeader } from '../src/dotnet-header.js';
import { summarizeFile } from '../src/file-input.js';
import { LogEngine } from '../src/log-engine.js';
import { summarize } from '../src/summarize.js';
import { TemplateLines } from '../src/template-lines.js';
import { TemplateMiner } from '../src/template-miner.js';

// What a `dotnet new webapi` app prints with the default console logger (SimpleConsole): each entry's
// level and category on a line, its message indented on the next, an exception under the message
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'dotnet-console.txt');
const LINES = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');

describe('.NET console logs (message on the line after the header)', () => {
  it('makes each entry one event at its header level, mined by its message, from a file as line by line', async () => {
    const fromFile = await summarizeFile(FIXTURE, { top: 20 });
    const pushed = summarize(LINES, { top: 20 });
    for (const summary of [fromFile, pushed]) {
      expect(summary.levels).toEqual({ fatal: 1, error: 2, warn: 3, info: 11, debug: 1 });
      expect(summary.continuationLines).toBe(35);
      expect(summary.lastError?.message).toBe('Unable to start Kestrel.');
      const templates = summary.top.map((pattern) => `${pattern.count} ${pattern.template}`);
      expect(templates).toContain('4 Loading order <num> for customer <num>');
      expect(templates).toContain('2 Stock for SKU <*> is low: <num> left');
      expect(templates).toContain('1 Now listening on: <url>');
      // no template of a header (one per category before): the messages are mined
      expect(templates.filter((t) => t.includes('Microsoft.Hosting.Lifetime'))).toEqual([]);
      const failed = summary.errors.find((pattern) => pattern.level === 'error');
      expect(failed).toMatchObject({
        template: 'An unhandled exception has occurred while executing the request.',
        count: 2,
        frame:
          'at Shop.Api.Services.OrderService.Total(Order order) in /src/Shop.Api/Services/OrderService.cs:line 58',
      });
    }
    expect(fromFile.top).toEqual(pushed.top);
  });

  it('gives the message line the category and event id; the header and the exception continue no other event', () => {
    const engine = new LogEngine();
    const [header, message, exception, frame] = [
      'fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]',
      '      An unhandled exception has occurred while executing the request.',
      '      System.InvalidOperationException: boom',
      '         at Api.Controllers.Orders.Get(Int32 id) in /src/Orders.cs:line 42',
    ].map((line) => engine.push({ stream: 'out', line }));
    expect(header).toMatchObject({
      isContinuation: true,
      awaitsMessage: true,
      level: 'error',
      templateId: -1,
    });
    expect(message).toMatchObject({
      isContinuation: false,
      level: 'error',
      message: 'An unhandled exception has occurred while executing the request.',
      fields: { category: 'Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware', eventId: 1 },
      header: 'fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]',
    });
    expect([exception?.isContinuation, exception?.level]).toEqual([true, 'error']);
    expect([frame?.isContinuation, frame?.frame]).toEqual([
      true,
      'at Api.Controllers.Orders.Get(Int32 id) in /src/Orders.cs:line 42',
    ]);
    expect(engine.levels).toEqual({ fatal: 0, error: 1, warn: 0, info: 0, debug: 0 });
  });

  it('reads an entry behind a time on each of its lines (kubectl logs --timestamps) as without it', () => {
    const at = (line: string) => `2026-12-07T10:00:01.123456789Z ${line}`;
    const summary = summarize(
      [
        'fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]',
        '      An unhandled exception has occurred while executing the request.',
        '      System.InvalidOperationException: boom',
        '         at Api.Controllers.Orders.Get(Int32 id) in /src/Orders.cs:line 42',
        'info: Microsoft.Hosting.Lifetime[0]',
        '      Application is shutting down...',
      ].map(at),
    );
    expect(summary.levels).toEqual({ fatal: 0, error: 1, warn: 0, info: 1, debug: 0 });
    expect(summary.continuationLines).toBe(4);
    expect(summary.errors[0]).toMatchObject({
      template: 'An unhandled exception has occurred while executing the request.',
      frame: 'at Api.Controllers.Orders.Get(Int32 id) in /src/Orders.cs:line 42',
      firstTs: Date.UTC(2026, 11, 7, 10, 0, 1, 123),
    });
  });

  it("reads an entry captured in Velos's JSON log format (a line a record) as the plain lines", () => {
    // what the daemon writes for an app with log_format json: each line's own lvl, its text in msg
    const json = (lvl: string, msg: string) =>
      JSON.stringify({ ts: '2026-12-07T10:00:01.000Z', lvl, pid: 42, msg, src: 'out' });
    const summary = summarize([
      json('error', 'fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]'),
      json('info', '      An unhandled exception has occurred while executing the request.'),
      json('info', '      System.InvalidOperationException: boom'),
      json('info', '         at Api.Controllers.Orders.Get(Int32 id) in /src/Orders.cs:line 42'),
      json('warn', 'warn: Shop.Worker[2]'),
    ]);
    expect(summary.levels).toEqual({ fatal: 0, error: 1, warn: 1, info: 0, debug: 0 });
    expect(summary.continuationLines).toBe(3);
    expect(summary.errors[0]).toMatchObject({
      template: 'An unhandled exception has occurred while executing the request.',
      frame: 'at Api.Controllers.Orders.Get(Int32 id) in /src/Orders.cs:line 42',
    });
    expect(summary.top.map((pattern) => pattern.template)).toContain('warn: Shop.Worker[<num>]');
    // velos-log templates: the header takes its message's template there too
    const miner = new TemplateMiner();
    const lines = new TemplateLines(miner);
    const ids = [
      json('info', 'info: Shop.Worker[1]'),
      json('info', '      Queue 7 is slow'),
      json('info', 'info: Shop.Worker[1]'),
      json('info', '      Queue 9 is slow'),
    ].flatMap((line) => [...lines.add(line)]);
    expect(ids.map((id) => miner.template(id))).toEqual(Array(4).fill('Queue <num> is slow'));
  });

  it('takes the scope lines of IncludeScopes as lines of the entry, and its message after them', () => {
    const summary = summarize([
      'info: Microsoft.AspNetCore.Hosting.Diagnostics[1]',
      '      => SpanId:1a2b3c, TraceId:9f8e7d => ConnectionId:0HN8 => RequestPath:/orders RequestId:0HN8:00000001',
      '      Request starting HTTP/1.1 GET http://localhost:5080/orders - - -',
    ]);
    expect(summary.levels.info).toBe(1);
    expect(summary.continuationLines).toBe(2);
    expect(summary.top.map((pattern) => pattern.template)).toEqual([
      'Request starting HTTP/<num>.<num> GET <url> - - -',
    ]);
  });

  it('counts a header whose message never comes as an event of its own: before the next line, or at the end', () => {
    const lines = [
      'info: Shop.Worker[1]',
      'warn: Shop.Worker[2]',
      '      Queue 7 is slow',
      'crit: Shop.Worker[3]',
    ];
    const summary = summarize(lines);
    expect(summary.levels).toEqual({ fatal: 1, error: 0, warn: 1, info: 1, debug: 0 });
    expect(summary.continuationLines).toBe(1);
    expect(summary.lastError?.message).toBe('crit: Shop.Worker[3]');
    // pushed live, the last header waits for its message until the input ends
    const engine = new LogEngine();
    for (const line of lines) engine.push(line);
    expect(engine.levels.fatal).toBe(0);
    engine.flush();
    expect(engine.levels).toEqual(summary.levels);
    expect(engine.continuationLines).toBe(1);
  });

  it('agrees when records are parsed first and added later, as a reader of several files does', () => {
    const engine = new LogEngine();
    const parsed = LINES.map((line) => engine.parseRecord(line));
    for (const record of parsed) engine.add(record);
    engine.flush();
    expect(engine.summary({ top: 20 }).top).toEqual(summarize(LINES, { top: 20 }).top);
  });

  it('dedupes an entry as one line of its message, shown in the one-line format, and keeps a header without one', () => {
    const entries = dedupe([
      'info: Shop.Worker[1]',
      'warn: Shop.Queue[2]',
      '      Queue 7 is slow',
      'warn: Shop.Queue[2]',
      '      Queue 9 is slow',
      'info: Microsoft.Hosting.Lifetime[0]',
      '      Application is shutting down...',
      'crit: Shop.Worker[3]',
    ]);
    expect(entries.map((entry) => formatDedupeEntry(entry))).toEqual([
      'info: Shop.Worker[1]',
      'Queue <num> is slow (x2, lines 3–5)',
      'info: Microsoft.Hosting.Lifetime[0] Application is shutting down...',
      'crit: Shop.Worker[3]',
    ]);
    expect(entries.map((entry) => entry.level)).toEqual(['info', 'warn', 'info', 'fatal']);
  });

  it('leaves the one-line format (SingleLine) and the systemd format as they were: one line, one event', () => {
    const summary = summarize([
      'info: Microsoft.Hosting.Lifetime[14] Now listening on: http://localhost:5080',
      'fail: Shop.Api.Worker[3] Order 12 failed',
      '<6>Microsoft.Hosting.Lifetime[14] Now listening on: http://localhost:5081',
      '<3>Shop.Api.Worker[3] Order 13 failed System.InvalidOperationException: boom    at A.B() in /a.cs:line 3',
    ]);
    expect(summary.levels).toEqual({ fatal: 0, error: 2, warn: 0, info: 2, debug: 0 });
    expect(summary.continuationLines).toBe(0);
    expect(
      parseDotnetHeader('info: Microsoft.Hosting.Lifetime[14] Now listening on: http://x'),
    ).toBeUndefined();
    expect(parseDotnetHeader('09:00:00 dbug: Shop.Cache[7]')).toEqual({
      level: 'debug',
      category: 'Shop.Cache',
      eventId: 7,
    });
  });
});
