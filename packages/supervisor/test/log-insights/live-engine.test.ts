import type { EventInput } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createLiveEngine, ERROR_BURST_MIN_HISTORY_MS } from '../../src/log-insights/live-engine.js';
import type { LineBatch } from '../../src/logs/line-batch.js';

const MINUTE = 60_000;
/** A whole minute, so that the engine's minutes and seconds start with the app. */
const T0 = 1_000_000 * MINUTE;

/** A batch of `lines` lines at `ts`, the first `errors` of them error lines. */
function batchOf(ts: number, lines: number, errors: number): LineBatch {
  const text = Array.from({ length: lines }, (_, i) =>
    i < errors ? `ERROR payment failed for order ${i}: card declined\n` : `GET /api/users/${i} 200 12ms\n`,
  ).join('');
  return { data: Buffer.from(text), lines, ts, stream: 'out', pid: 1 };
}

/** An engine whose events are kept, fed batches by the test's own clock (each batch's `ts`). */
function engineOf() {
  const events: EventInput[] = [];
  const engine = createLiveEngine('app', (event) => events.push(event));
  const bursts = () => events.filter((event) => event.kind === 'log.error_burst');
  /** Feeds a batch of `lines` (`errors` of them errors) every `everyMs` from `from` until before `to`. */
  const feed = (from: number, to: number, everyMs: number, lines: number, errors: number) => {
    for (let ts = from; ts < to; ts += everyMs) engine.push(batchOf(ts, lines, errors), 0);
  };
  return { engine, bursts, feed };
}

describe('createLiveEngine: log.error_burst', () => {
  it('raises none for an app that logs many errors at a steady rate from its start', () => {
    const { bursts, feed } = engineOf();
    // 100 lines/s, 20 % of them errors: 200 errors in every 10 s, from the first line on
    feed(T0, T0 + MINUTE, 100, 10, 2);
    expect(bursts()).toEqual([]);
    feed(T0 + MINUTE, T0 + 5 * MINUTE, 100, 10, 2);
    expect(bursts()).toEqual([]);
  });

  it('raises none for an app that crashes in a loop, logging the same errors at each start', () => {
    // 60 error lines at once at each start (the restarts keep the app's engine and its history)
    const fast = engineOf();
    fast.feed(T0, T0 + 5 * MINUTE, 3000, 60, 60);
    expect(fast.bursts()).toEqual([]);
    // restarting every 45 s, each start's 60 errors stay under 5× the loop's usual 10 s
    const slow = engineOf();
    slow.feed(T0, T0 + 90 * MINUTE, 45_000, 60, 60);
    expect(slow.bursts()).toEqual([]);
  });

  it('raises none for a crash loop told to it, however long it waits to restart', () => {
    // each run logs 60 error lines at its start and lasts 2 s; the waits (43 s, 5 min) are left out
    for (const waitMs of [43_000, 5 * MINUTE]) {
      const loop = engineOf();
      for (let start = T0; start < T0 + 90 * MINUTE; start += 2000 + waitMs) {
        loop.engine.setRunning(1, start);
        loop.feed(start, start + 2000, 2000, 60, 60);
        loop.engine.setRunning(0, start + 2000);
      }
      expect(loop.bursts()).toEqual([]);
    }
  });

  it('raises one for a flood of errors after a quiet lead-in, as soon as the history is one window long', () => {
    const { bursts, feed, engine } = engineOf();
    // 20 s of lines without errors, then 300 error lines at once
    feed(T0, T0 + 20_000, 100, 10, 0);
    expect(bursts()).toEqual([]);
    engine.push(batchOf(T0 + 20_000, 300, 300), 0);
    expect(bursts()).toHaveLength(1);
    expect(bursts()[0]).toMatchObject({
      kind: 'log.error_burst',
      severity: 'error',
      app: 'app',
      fields: { errors: 300, windowMs: 10_000, rate: 30, baseline: 0, isEstimate: false },
    });
  });

  it('raises one for a flood after a lead-in of fewer errors, measured against that lead-in', () => {
    const { bursts, feed, engine } = engineOf();
    // 60 lines a second, 6 of them errors (60 in every 10 s: a burst when nothing was known) for 25 s
    feed(T0, T0 + 25_000, 1000, 60, 6);
    expect(bursts()).toEqual([]);
    engine.push(batchOf(T0 + 25_000, 600, 600), 0);
    expect(bursts()).toHaveLength(1);
    // the window holds the flood and 9 s of the lead-in; the 16 s before it are the usual rate
    expect(bursts()[0]!.fields).toMatchObject({ errors: 654, rate: 65.4, baseline: 6 });
  });

  it('leaves the time the app was stopped out of the usual rate', () => {
    // 10 errors a second for 5 minutes, stopped for 50, then the same rate: no burst
    const steady = engineOf();
    steady.feed(T0, T0 + 5 * MINUTE, 100, 10, 1);
    steady.engine.setRunning(0, T0 + 5 * MINUTE);
    steady.engine.setRunning(1, T0 + 55 * MINUTE);
    steady.feed(T0 + 55 * MINUTE, T0 + 57 * MINUTE, 100, 10, 1);
    expect(steady.bursts()).toEqual([]);
    // one error a second, stopped for 50 minutes, then a flood 3 s after the restart: one burst, usually 1/s
    const flood = engineOf();
    flood.feed(T0, T0 + 5 * MINUTE, 1000, 10, 1);
    flood.engine.setRunning(0, T0 + 5 * MINUTE);
    flood.engine.setRunning(1, T0 + 55 * MINUTE);
    flood.feed(T0 + 55 * MINUTE, T0 + 55 * MINUTE + 3000, 1000, 10, 1);
    flood.engine.push(batchOf(T0 + 55 * MINUTE + 3000, 300, 300), 0);
    expect(flood.bursts()).toHaveLength(1);
    expect(flood.bursts()[0]!.fields).toMatchObject({ errors: 309, baseline: 1 });
  });

  it('expects errors per running process: instances back after most were down, or a scale up, are no burst', () => {
    // 10 instances with one error a second each, 9 of them down for 50 minutes, then back
    const back = engineOf();
    back.engine.setRunning(10, T0);
    back.feed(T0, T0 + 5 * MINUTE, 100, 10, 1);
    back.engine.setRunning(1, T0 + 5 * MINUTE);
    back.feed(T0 + 5 * MINUTE, T0 + 55 * MINUTE, 1000, 10, 1);
    back.engine.setRunning(10, T0 + 55 * MINUTE);
    back.feed(T0 + 55 * MINUTE, T0 + 57 * MINUTE, 100, 10, 1);
    expect(back.bursts()).toEqual([]);
    // one instance for 5 minutes, then scaled to 6
    const scaled = engineOf();
    scaled.feed(T0, T0 + 5 * MINUTE, 1000, 10, 1);
    scaled.engine.setRunning(6, T0 + 5 * MINUTE);
    scaled.feed(T0 + 5 * MINUTE, T0 + 7 * MINUTE, 1000, 60, 6);
    expect(scaled.bursts()).toEqual([]);
  });

  it('expects fewer errors while one instance of two is down: a flood of the other is a burst', () => {
    const { engine, bursts, feed } = engineOf();
    // two instances with one error a second each; one stops, the other goes on, then logs 60 errors at once
    engine.setRunning(2, T0);
    feed(T0, T0 + 5 * MINUTE, 1000, 20, 2);
    engine.setRunning(1, T0 + 5 * MINUTE);
    feed(T0 + 5 * MINUTE, T0 + 5 * MINUTE + 30_000, 1000, 10, 1);
    expect(bursts()).toEqual([]);
    engine.push(batchOf(T0 + 5 * MINUTE + 30_000, 60, 60), 0);
    expect(bursts()).toHaveLength(1);
    // usually 10 errors in 10 s from the one instance running, not the ~19 of the two before
    expect(bursts()[0]!.fields).toMatchObject({ errors: 69, baseline: 1 });
  });

  it('raises one for an app that logs 40 errors a second steadily and jumps to 3× that, and one only while it stays there', () => {
    // 100 lines a second (40 errors) for 10 minutes, in batches of a tenth of a second
    const { bursts, feed } = engineOf();
    feed(T0, T0 + 10 * MINUTE, 100, 10, 4);
    expect(bursts()).toEqual([]);
    // then 120 errors a second for 10 minutes: one burst within the first window, none after it
    feed(T0 + 10 * MINUTE, T0 + 10 * MINUTE + 10_000, 100, 18, 12);
    expect(bursts()).toHaveLength(1);
    expect(bursts()[0]!.fields).toMatchObject({ baseline: 40, isEstimate: false });
    expect(bursts()[0]!.fields!.errors).toBeGreaterThanOrEqual(3 * 400);
    feed(T0 + 10 * MINUTE + 10_000, T0 + 20 * MINUTE, 100, 18, 12);
    expect(bursts()).toHaveLength(1);
  });

  it('raises none for a steady 40 errors a second that swings by half, nor for a rise to twice it', () => {
    const { bursts, feed } = engineOf();
    // 20 to 60 errors a second, a second each, for 10 minutes
    for (let s = 0; s < 600; s += 1) feed(T0 + s * 1000, T0 + (s + 1) * 1000, 100, 10, s % 2 === 0 ? 2 : 6);
    feed(T0 + 10 * MINUTE, T0 + 12 * MINUTE, 100, 10, 8);
    expect(bursts()).toEqual([]);
  });

  it('raises a second burst once the errors stayed under the threshold for a window', () => {
    const { bursts, feed } = engineOf();
    feed(T0, T0 + 10 * MINUTE, 100, 10, 4);
    // two jumps to 200 errors a second for 20 s, a minute of the steady rate between them
    feed(T0 + 10 * MINUTE, T0 + 10 * MINUTE + 20_000, 100, 20, 20);
    feed(T0 + 10 * MINUTE + 20_000, T0 + 11 * MINUTE + 20_000, 100, 10, 4);
    expect(bursts()).toHaveLength(1);
    feed(T0 + 11 * MINUTE + 20_000, T0 + 11 * MINUTE + 40_000, 100, 20, 20);
    expect(bursts()).toHaveLength(2);
  });

  it('needs one window of history before the window: a flood in the first 19 s is no burst', () => {
    expect(ERROR_BURST_MIN_HISTORY_MS).toBe(10_000);
    const early = engineOf();
    early.feed(T0, T0 + 18_000, 100, 10, 0);
    early.engine.push(batchOf(T0 + 18_999, 300, 300), 0);
    expect(early.bursts()).toEqual([]);
    const later = engineOf();
    later.feed(T0, T0 + 18_000, 100, 10, 0);
    later.engine.push(batchOf(T0 + 19_000, 300, 300), 0);
    expect(later.bursts()).toHaveLength(1);
  });
});

describe('createLiveEngine: .NET console entries', () => {
  it('counts a fail: header whose message never came as an error, and a fail: entry once', () => {
    const engine = createLiveEngine('app', () => {});
    const lines = [
      'fail: Orders.Worker[7]',
      'info: Orders.Api[1]',
      '      Request 1 served in 3 ms',
      'fail: Orders.Worker[7]',
      '      Payment 2 declined by the gateway',
    ];
    const data = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    expect(engine.push({ data, lines: lines.length, ts: T0, stream: 'out', pid: 1 }, 0)).toBe(2);
  });
});
