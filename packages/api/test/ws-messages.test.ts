import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../src/ws/client-messages.js';
import { eventsFeedKey } from '../src/ws/events-feed.js';
import { retryDelayMs } from '../src/ws/retry-stream.js';

describe('parseClientMessage', () => {
  it('reads the messages of the protocol', () => {
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ ok: true, message: { type: 'ping' } });
    const subscribe = { type: 'subscribe', topic: 'logs', target: 'api', lines: 50 };
    expect(parseClientMessage(JSON.stringify(subscribe))).toEqual({ ok: true, message: subscribe });
  });

  it('names the field that is wrong, and the topic when there is one', () => {
    expect(parseClientMessage('{"type":"subscribe","topic":"metrics","intervalMs":999}')).toMatchObject({
      ok: false,
      field: 'intervalMs',
      topic: 'metrics',
    });
    expect(parseClientMessage('{"type":"subscribe","topic":"events","kinds":["process",""]}')).toMatchObject({
      ok: false,
      field: 'kinds.1',
    });
    expect(
      parseClientMessage('{"type":"subscribe","topic":"events","kinds":["process","process.restarted"]}'),
    ).toMatchObject({
      ok: false,
      field: 'kinds.1',
      topic: 'events',
      message: expect.stringMatching(
        /^kinds\.1: unknown event kind "process\.restarted": .*process\.restarting/,
      ),
    });
    expect(parseClientMessage('{"type":"subscribe","topic":"logs","interval":5}')).toMatchObject({
      ok: false,
      field: 'interval',
      message: expect.stringContaining('interval'),
    });
    expect(parseClientMessage('{"type":"nope"}')).toMatchObject({ ok: false, field: 'type' });
  });

  it("refuses another topic's filter, which would not filter (processes took a target and sent every row)", () => {
    const cases: [string, string, string][] = [
      ['{"type":"subscribe","topic":"processes","target":"x"}', 'target', 'it takes none'],
      ['{"type":"subscribe","topic":"metrics","target":"x"}', 'target', 'it takes intervalMs'],
      [
        '{"type":"subscribe","topic":"logs","target":"x","kinds":["process"]}',
        'kinds',
        'it takes target, lines',
      ],
      ['{"type":"unsubscribe","topic":"events","lines":5}', 'lines', 'it takes target, kinds'],
    ];
    for (const [text, field, takes] of cases) {
      const topic = JSON.parse(text).topic;
      expect(parseClientMessage(text), text).toEqual({
        ok: false,
        field,
        topic,
        message: `${field}: not a filter of the ${topic} topic (${takes})`,
      });
    }
    expect(
      parseClientMessage('{"type":"subscribe","topic":"events","target":"x","kinds":["process"]}'),
    ).toMatchObject({ ok: true });
  });

  it("words what is wrong as the REST API and the MCP tools do, not in zod's words", () => {
    const cases: [string, string][] = [
      ['{"type":"subscribe","topic":"logs","lines":"x"}', 'lines: expected a number, got "x"'],
      ['{"type":"subscribe","topic":"logs","interval":5}', 'interval: unknown key'],
      [
        '{"type":"subscribe","topic":"metrics","intervalMs":999}',
        'intervalMs: expected a number >= 1000, got 999',
      ],
      ['{"type":"nope"}', 'type: expected one of "auth", "subscribe", "unsubscribe", "ping", got "nope"'],
      ['{"topic":"logs"}', 'type: required, expected one of "auth", "subscribe", "unsubscribe", "ping"'],
    ];
    for (const [text, message] of cases)
      expect(parseClientMessage(text), text).toMatchObject({ ok: false, message });
    expect(parseClientMessage('"text"')).toMatchObject({ ok: false });
    expect(parseClientMessage('{')).toEqual({ ok: false, message: 'expected one JSON object per message' });
  });
});

describe('feed keys and retries', () => {
  it('treats kinds in any order as one events filter', () => {
    expect(eventsFeedKey({ kinds: ['b', 'a', 'a'] })).toBe(eventsFeedKey({ kinds: ['a', 'b'] }));
    expect(eventsFeedKey({ target: 'x', kinds: [] })).not.toBe(eventsFeedKey({ kinds: [] }));
  });

  it('doubles the retry delay up to the maximum', () => {
    expect([0, 1, 2, 3, 10, 100].map((attempt) => retryDelayMs(attempt, 1500))).toEqual([
      250, 500, 1000, 1500, 1500, 1500,
    ]);
  });
});
