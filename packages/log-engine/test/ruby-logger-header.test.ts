import { describe, expect, it } from 'vitest';
import { LogEngine } from '../src/log-engine.js';
import { messageOf, recordTime } from '../src/log-record.js';
import { parseRubyLoggerHeader } from '../src/ruby-logger-header.js';
import { summarize } from '../src/summarize.js';

/** Lines as Ruby's `Logger::Formatter` writes them (Rails production logs). */
const RAILS = [
  'I, [2026-03-14T09:00:00.123456 #596]  INFO -- : [0b5c1d7e] Started GET "/products/1" for 127.0.0.1 at 2026-03-14 09:00:00 +0000',
  'I, [2026-03-14T09:00:00.125001 #596]  INFO -- : [0b5c1d7e] Processing by ProductsController#show as HTML',
  'I, [2026-03-14T09:00:00.131000 #596]  INFO -- : [0b5c1d7e] Completed 200 OK in 6ms (Views: 2.1ms | ActiveRecord: 0.4ms)',
  'W, [2026-03-14T09:01:30.000001 #601]  WARN -- sidekiq: [9f00aa21] Processing by ProductsController#show as HTML',
  'E, [2026-03-14T09:02:00.500000 #596] ERROR -- : [77aa0c3e] Redis::CannotConnectError (Error connecting to Redis on 10.0.0.9:6379)',
];

describe('parseRubyLoggerHeader', () => {
  it('reads the time (local, as Ruby writes it) and where the message starts', () => {
    expect(parseRubyLoggerHeader(RAILS[0]!)).toEqual({
      ts: new Date(2026, 2, 14, 9, 0, 0, 123).getTime(),
      end: RAILS[0]!.indexOf('[0b5c'),
    });
    expect(parseRubyLoggerHeader(RAILS[3]!)?.end).toBe(RAILS[3]!.indexOf('[9f00'));
    expect(parseRubyLoggerHeader('D, [2026-03-14T09:00:00.000001+01:00 #7] DEBUG -- app: x')?.ts).toBe(
      Date.UTC(2026, 2, 14, 8, 0, 0, 0),
    );
  });

  it('reads no header in other lines', () => {
    for (const line of [
      'I, [ok] INFO -- : x',
      'X, [2026-03-14T09:00:00.123456 #596]  INFO -- : x',
      'I, [2026-03-14T09:00:00.123456]  INFO -- : no pid',
      'I, [2026-03-14T09:00:00.123456 #596] hello',
      'I, me and myself',
      '',
    ]) {
      expect(parseRubyLoggerHeader(line), line).toBeUndefined();
    }
  });
});

describe('Ruby Logger lines in the engine', () => {
  it('give their time and leave the header out of the mined message', () => {
    expect(recordTime({ line: RAILS[0]! })).toBe(new Date(2026, 2, 14, 9, 0, 0, 123).getTime());
    expect(messageOf(RAILS[1]!)).toBe('[0b5c1d7e] Processing by ProductsController#show as HTML');
    const engine = new LogEngine();
    const records = RAILS.map((line) => engine.push({ line }));
    expect(records.map((r) => r.level)).toEqual(['info', 'info', 'info', 'warn', 'error']);
    // one message from two processes, at two levels: one template
    expect(records[3]?.templateId).toBe(records[1]?.templateId);
  });

  it('a summary of a Rails log has its period', () => {
    const summary = summarize(RAILS);
    expect(summary.period).toEqual({
      from: new Date(2026, 2, 14, 9, 0, 0, 123).getTime(),
      to: new Date(2026, 2, 14, 9, 2, 0, 500).getTime(),
    });
    expect(summary.levels).toMatchObject({ info: 3, warn: 1, error: 1 });
  });
});
