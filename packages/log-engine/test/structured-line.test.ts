import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LEVEL_KEYS, MESSAGE_KEYS, parseStructuredLine, TIME_KEYS } from '../src/structured-line.js';

describe('parseStructuredLine', () => {
  it('takes time, level and message from pino lines and keeps the other fields', () => {
    const parsed = parseStructuredLine(
      '{"level":50,"time":1714557600000,"pid":7,"msg":"db down","code":"ECONN"}',
    );
    expect(parsed).toEqual({
      ts: 1714557600000,
      level: 'error',
      message: 'db down',
      fields: { pid: 7, code: 'ECONN' },
    });
  });

  it('reads ts/lvl/message spellings, ISO times and seconds', () => {
    const a = parseStructuredLine('{"ts":"2024-05-01T10:00:00Z","lvl":"warn","message":"slow query"}');
    expect(a?.ts).toBe(Date.UTC(2024, 4, 1, 10));
    expect(a?.level).toBe('warn');
    expect(a?.message).toBe('slow query');
    const b = parseStructuredLine('{"timestamp":1714557600.5,"severity":"CRITICAL","log":"disk full\\n"}');
    expect(b?.ts).toBe(1714557600500);
    expect(b?.level).toBe('fatal');
    expect(b?.message).toBe('disk full');
  });

  it("reads Serilog's compact JSON (CLEF, no @l for Information) and JsonFormatter, and python-json-logger's asctime", () => {
    const info = parseStructuredLine(
      '{"@t":"2026-03-14T09:00:00.1234567Z","@mt":"Payment {PaymentId} failed over to {Gateway}","PaymentId":7,"Gateway":"b"}',
    );
    expect(info).toEqual({
      ts: Date.UTC(2026, 2, 14, 9, 0, 0, 123),
      level: 'info',
      message: 'Payment {PaymentId} failed over to {Gateway}',
      fields: { PaymentId: 7, Gateway: 'b' },
    });
    const error = parseStructuredLine(
      '{"@t":"2026-03-14T09:00:01Z","@m":"Payment 8 failed","@mt":"Payment {PaymentId} failed","@l":"Error","@x":"System.InvalidOperationException: boom","PaymentId":8}',
    );
    expect(error?.level).toBe('error');
    expect(error?.message).toBe('Payment 8 failed');
    expect(error?.fields).toMatchObject({ '@mt': 'Payment {PaymentId} failed', '@x': expect.any(String) });
    const json = parseStructuredLine(
      '{"Timestamp":"2026-03-14T09:00:03+01:00","Level":"Warning","MessageTemplate":"Slow {Ms}","RenderedMessage":"Slow 900","Properties":{"Ms":900}}',
    );
    expect(json).toMatchObject({ ts: Date.UTC(2026, 2, 14, 8, 0, 3), level: 'warn', message: 'Slow 900' });
    const python = parseStructuredLine(
      '{"asctime":"2026-03-14 09:00:05,123","levelname":"ERROR","name":"app","message":"charge failed"}',
    );
    expect(python?.ts).toBe(new Date(2026, 2, 14, 9, 0, 5, 123).getTime());
    // a line without a time is not taken for Serilog's: no level named, none given
    expect(parseStructuredLine('{"@mt":"x failed"}')?.level).toBeUndefined();
  });

  it("reads hclog's @level and @message, .NET's LogLevel and Message, MongoDB's s and t.$date, tracing's fields.message", () => {
    expect(
      parseStructuredLine(
        '{"@level":"debug","@message":"Failed attempt 3 skipped","@module":"raft","@timestamp":"2024-12-04T10:00:00.000000Z"}',
      ),
    ).toEqual({
      ts: Date.UTC(2024, 11, 4, 10),
      level: 'debug',
      message: 'Failed attempt 3 skipped',
      fields: { '@module': 'raft' },
    });
    const dotnet = parseStructuredLine(
      '{"EventId":14,"LogLevel":"Information","Category":"Microsoft.Hosting.Lifetime","Message":"Failed over to replica 2","State":{}}',
    );
    expect([dotnet?.level, dotnet?.message]).toEqual(['info', 'Failed over to replica 2']);
    const mongo = parseStructuredLine(
      '{"t":{"$date":"2024-12-04T10:00:00.000+00:00"},"s":"W","c":"CONTROL","id":22120,"ctx":"initandlisten","msg":"Access control is not enabled"}',
    );
    expect([mongo?.ts, mongo?.level, mongo?.message]).toEqual([
      Date.UTC(2024, 11, 4, 10),
      'warn',
      'Access control is not enabled',
    ]);
    expect(parseStructuredLine('{"s":"D2","msg":"x"}')?.level).toBe('debug');
    // an `s` that is no MongoDB severity names no level
    expect(parseStructuredLine('{"s":"error","msg":"x"}')?.level).toBeUndefined();
    expect(parseStructuredLine('{"s":"e","msg":"x"}')?.level).toBeUndefined();
    const tracing = parseStructuredLine(
      '{"timestamp":"2024-12-04T10:00:00.000Z","level":"INFO","fields":{"message":"request failed count reset","n":3},"target":"app"}',
    );
    expect([tracing?.level, tracing?.message]).toEqual(['info', 'request failed count reset']);
  });

  it('keeps a field named level that is not a level, and uses the line when there is no message', () => {
    const parsed = parseStructuredLine('{"level":"third","event_id":3}');
    expect(parsed?.level).toBeUndefined();
    expect(parsed?.fields).toEqual({ level: 'third', event_id: 3 });
    expect(parsed?.message).toBe('{"level":"third","event_id":3}');
  });

  it('reads an HTTP status as one, never as a pino number, and ECS nested levels', () => {
    expect(parseStructuredLine('{"status":200,"msg":"GET /x"}')?.level).toBe('info');
    expect(parseStructuredLine('{"status":404,"msg":"GET /x"}')?.level).toBe('warn');
    expect(parseStructuredLine('{"status":503,"msg":"GET /x"}')?.level).toBe('error');
    expect(parseStructuredLine('{"status":"error","msg":"x"}')?.level).toBe('error');
    expect(parseStructuredLine('{"status":7,"msg":"x"}')?.level).toBeUndefined();
    expect(parseStructuredLine('{"level":"info","status":500,"msg":"x"}')?.level).toBe('info');
    const ecs = parseStructuredLine(
      '{"@timestamp":"2024-12-04T10:00:00Z","log":{"level":"error"},"message":"boom"}',
    );
    expect(ecs).toMatchObject({ level: 'error', message: 'boom', ts: Date.UTC(2024, 11, 4, 10) });
    expect(parseStructuredLine('{"level":"dpanic","msg":"x"}')?.level).toBe('error');
    expect(parseStructuredLine('{"level":"http","msg":"GET /errors"}')?.level).toBe('info');
  });

  it('returns undefined for anything but a JSON object', () => {
    expect(parseStructuredLine('plain text')).toBeUndefined();
    expect(parseStructuredLine('{not json')).toBeUndefined();
    expect(parseStructuredLine('[1,2]')).toBeUndefined();
    expect(parseStructuredLine('{"a":1} trailing')).toBeUndefined();
  });
});

describe('the JSON keys in docs/logs.md', () => {
  it("lists every key of the engine's time, level and message fields, in their order, in the json format's table", () => {
    const docs = readFileSync(new URL('../../../docs/logs.md', import.meta.url), 'utf8');
    const row = (becomes: string) => {
      const line = docs
        .split('\n')
        .find((text) => text.startsWith('| `') && text.includes(`| \`${becomes}\``));
      return [
        ...(line ?? '')
          .split(' | ')[0]!
          .split(' (')[0]!
          .matchAll(/`([^`]+)`/g),
      ].map((match) => match[1]);
    };
    expect(row('ts').filter((key) => TIME_KEYS.includes(key!))).toEqual(TIME_KEYS);
    expect(row('lvl').filter((key) => LEVEL_KEYS.includes(key!))).toEqual(LEVEL_KEYS);
    expect(row('msg').filter((key) => MESSAGE_KEYS.includes(key!))).toEqual(MESSAGE_KEYS);
  });
});
