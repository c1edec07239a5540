import { waitFor } from '@velos/test-helpers';
import { describe, expect, it } from 'vitest';
import { createAppEventIntake } from '../../src/events/app-event-intake.js';
import { createAppEventLimiter, type DroppedBurst } from '../../src/events/app-event-limit.js';
import { parseAppEvent } from '../../src/events/app-event-parse.js';
import { APP_EVENT_LINE_MAX_BYTES, findAppEventLines } from '../../src/logs/app-event-lines.js';

function linesOf(text: string): string[] {
  const found: string[] = [];
  findAppEventLines(Buffer.from(text), (line) => found.push(line));
  return found;
}

describe('app event lines', () => {
  it('finds JSON lines holding "velos_event" among other lines, blanks and \\r\\n included', () => {
    const event = '{"velos_event":"sync.done","rows":42}';
    const text = `plain\n${event}\n  {"a":1,"velos_event":"x"}\r\nno {"velos_event":"y"} here\n{"other":1}\n${event}\n`;
    expect(linesOf(text)).toEqual([event, '{"a":1,"velos_event":"x"}', event]);
  });

  it('finds a marker on the first line and in a batch without a final newline', () => {
    expect(linesOf('{"velos_event":"a"}')).toEqual(['{"velos_event":"a"}']);
    expect(linesOf('{"velos_event":"a"}\n{"velos_event":"b"}')).toEqual([
      '{"velos_event":"a"}',
      '{"velos_event":"b"}',
    ]);
  });

  it('leaves oversized lines and escaped mentions alone', () => {
    const big = JSON.stringify({ velos_event: 'big', pad: 'x'.repeat(APP_EVENT_LINE_MAX_BYTES) });
    expect(linesOf(`${big}\n`)).toEqual([]);
    expect(linesOf('{"msg":"the key is \\"velos_event\\""}\n')).toEqual([]);
  });

  it('decodes multi-byte text whole', () => {
    const event = '{"velos_event":"é.done","message":"😀 日本"}';
    expect(linesOf(`${event}\n`)).toEqual([event]);
  });
});

describe('parseAppEvent', () => {
  it('takes the name, message, severity and scalar fields', () => {
    const parsed = parseAppEvent(
      '{"velos_event":"sync.done","message":"synced","severity":"warn","rows":42,"ok":true,"x":null,"s":"a"}',
    );
    expect(parsed).toEqual({
      ok: true,
      request: {
        name: 'sync.done',
        message: 'synced',
        severity: 'warning',
        fields: { rows: 42, ok: true, x: null, s: 'a' },
      },
    });
  });

  it('accepts an IPC message object, keeps short nested values as JSON and drops long ones', () => {
    const parsed = parseAppEvent({
      velos_event: 'a',
      meta: { t: 1 },
      list: [1, 2],
      big: { pad: 'x'.repeat(3000) },
    });
    expect(parsed).toEqual({ ok: true, request: { name: 'a', fields: { meta: '{"t":1}', list: '[1,2]' } } });
  });

  it('bounds fields, message length and severity', () => {
    const many: Record<string, unknown> = {
      velos_event: 'many',
      message: 'm'.repeat(5000),
      severity: 'loud',
    };
    for (let i = 0; i < 80; i += 1) many[`k${i}`] = i;
    const parsed = parseAppEvent(many);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(Object.keys(parsed.request.fields ?? {})).toHaveLength(50);
    expect(parsed.request.message).toHaveLength(2000);
    expect(parsed.request.severity).toBe('info');
  });

  it('refuses what is not an app event, with a reason', () => {
    for (const value of [
      '{"velos_event":"bad name!"}',
      '{"velos_event":',
      '[1]',
      '{"velos_event":3}',
      '{"velos_event":".x"}',
    ]) {
      const parsed = parseAppEvent(value);
      expect(parsed.ok, value).toBe(false);
      if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(0);
    }
    expect(parseAppEvent({ velos_event: 'x'.repeat(65) }).ok).toBe(false);
  });
});

describe('app event limiter', () => {
  it('lets perSecond events through per window and per process, and reports a burst once', async () => {
    const bursts: DroppedBurst[] = [];
    const starts: number[] = [];
    const limiter = createAppEventLimiter({
      perSecond: 3,
      onBurst: (burst) => bursts.push(burst),
      onDropStart: (key) => starts.push(key),
    });
    const t0 = 1_000_000;
    const taken = [0, 1, 2, 3, 4, 5].map((i) => limiter.take(7, t0 + i));
    expect(taken).toEqual([true, true, true, false, false, false]);
    expect(limiter.take(8, t0)).toBe(true);
    expect(limiter.take(7, t0 + 1000)).toBe(true);
    expect(starts).toEqual([7]);
    limiter.close();
    expect(bursts).toEqual([{ key: 7, dropped: 3, since: t0 + 3, until: t0 + 5 }]);
  });

  it('reports a burst by itself a second after the drops stop', async () => {
    const bursts: DroppedBurst[] = [];
    const limiter = createAppEventLimiter({ perSecond: 1, onBurst: (burst) => bursts.push(burst) });
    limiter.take(1);
    limiter.take(1);
    limiter.take(1);
    await waitFor(() => bursts.length > 0, 'the dropped-burst report', 5000);
    expect(bursts.map((burst) => burst.dropped)).toEqual([2]);
    limiter.close();
    expect(bursts).toHaveLength(1);
  });
});

describe('app event intake', () => {
  it('publishes valid events for the process, logs one line per process for invalid ones', () => {
    const published: unknown[] = [];
    const logs: string[] = [];
    const intake = createAppEventIntake({
      publishApp: (request, app, id) => published.push({ ...request, app, id }),
      publish: () => undefined,
      log: (line) => logs.push(line),
    });
    intake.accept({ id: 3, name: 'api', value: '{"velos_event":"sync.done","rows":1}' });
    intake.accept({ id: 3, name: 'api', value: '{"velos_event":"no good"}' });
    intake.accept({ id: 3, name: 'api', value: '{"velos_event":' });
    expect(published).toEqual([{ name: 'sync.done', fields: { rows: 1 }, app: 'api', id: 3 }]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('api (id 3)');
    intake.close();
  });
});
