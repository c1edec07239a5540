import { createRecordParser } from '@velos/log-engine';
import { describe, expect, it } from 'vitest';
import {
  burstThreshold,
  ERROR_BURST_MIN_ERRORS,
  ErrorHistory,
} from '../../src/log-insights/error-history.js';
import { ErrorInspector } from '../../src/log-insights/error-inspector.js';

const MINUTE = 60_000;
const T0 = 1_000_000 * MINUTE;

/** Twelve quiet minutes (100 lines, 1 error each), then `advance` into the thirteenth. */
function quietHour(history: ErrorHistory): void {
  for (let m = 0; m < 12; m += 1) {
    history.advance(T0 + m * MINUTE);
    history.add(100, 100, 1);
  }
}

/** Counts `perSecond` error lines (and as many lines) each second from `from` until before `to`; returns the bursts found. */
function steadyErrors(history: ErrorHistory, from: number, to: number, perSecond: number) {
  const bursts = [];
  for (let ts = from; ts < to; ts += 1000) {
    history.advance(ts);
    history.add(perSecond, perSecond, perSecond);
    const burst = history.burst();
    if (burst) bursts.push(burst);
  }
  return bursts;
}

describe('burstThreshold', () => {
  it('asks 5× a low usual count and 3× a high one, never fewer than the minimum', () => {
    expect(burstThreshold(0)).toBe(ERROR_BURST_MIN_ERRORS);
    expect(burstThreshold(10)).toBe(ERROR_BURST_MIN_ERRORS);
    expect(burstThreshold(13)).toBe(65);
    expect(burstThreshold(50)).toBe(250);
    expect(burstThreshold(80)).toBe(280);
    expect(burstThreshold(100)).toBe(300);
    // 40 errors a second, 400 in 10 s
    expect(burstThreshold(400)).toBe(1200);
  });
});

describe('ErrorHistory', () => {
  it('finds a burst when a steady 40 errors a second jumps to 4× that', () => {
    const history = new ErrorHistory();
    expect(steadyErrors(history, T0, T0 + 10 * MINUTE, 40)).toEqual([]);
    const bursts = steadyErrors(history, T0 + 10 * MINUTE, T0 + 10 * MINUTE + 10_000, 160);
    expect(bursts.length).toBeGreaterThan(0);
    expect(bursts[0]!.usual).toBeCloseTo(400, 0);
  });

  it('judges a closed minute against the minutes before it (ENG-5)', () => {
    const history = new ErrorHistory();
    quietHour(history);
    expect(history.advance(T0 + 12 * MINUTE)).toBeNull();
    history.add(100, 40, 30);
    const verdict = history.advance(T0 + 13 * MINUTE);
    expect(verdict).toMatchObject({
      minute: T0 / MINUTE + 12,
      severity: 'critical',
      lines: 100,
      errors: 30,
      classified: 40,
    });
    expect(verdict?.rate).toBeCloseTo(0.3);
    expect(verdict?.baseline).toBeCloseTo(0.01);
    // within a minute nothing closes
    expect(history.advance(T0 + 13 * MINUTE + 500)).toBeUndefined();
  });

  it('says nothing without ten minutes of history or with fewer than three errors', () => {
    const young = new ErrorHistory();
    young.advance(T0);
    young.add(100, 100, 50);
    expect(young.advance(T0 + MINUTE)).toBeNull();
    const calm = new ErrorHistory();
    quietHour(calm);
    calm.advance(T0 + 12 * MINUTE);
    calm.add(3, 3, 2);
    expect(calm.advance(T0 + 13 * MINUTE)).toBeNull();
  });

  it('finds a burst of errors in the last ten seconds and forgets it ten seconds later', () => {
    const history = new ErrorHistory();
    quietHour(history);
    const now = T0 + 12 * MINUTE;
    history.advance(now);
    history.add(ERROR_BURST_MIN_ERRORS - 1, ERROR_BURST_MIN_ERRORS - 1, ERROR_BURST_MIN_ERRORS - 1);
    expect(history.burst()).toBeUndefined();
    history.advance(now + 3000);
    history.add(1, 1, 1);
    // usually: 12 errors in the 714 s from the first line to the window (10 s back from its last second)
    expect(history.burst()).toEqual({ errors: ERROR_BURST_MIN_ERRORS, usual: expect.closeTo(120 / 714, 9) });
    history.advance(now + 11_000);
    expect(history.burst()).toBeUndefined();
    expect(history.errorsPerMinute().slice(-2)).toEqual([1, ERROR_BURST_MIN_ERRORS]);
  });

  it('leaves the time an app was stopped out: a steady error rate after a long stop is no burst', () => {
    const history = new ErrorHistory();
    // 10 errors a second (100 in every window) for 5 minutes, 50 minutes stopped, then the same rate
    expect(steadyErrors(history, T0, T0 + 5 * MINUTE, 10)).toEqual([]);
    history.pause(T0 + 5 * MINUTE);
    // the minutes that close while it is stopped are quiet, not anomalous
    expect(history.advance(T0 + 30 * MINUTE)).toBeNull();
    expect(history.resume(T0 + 55 * MINUTE)).toBeNull();
    expect(steadyErrors(history, T0 + 55 * MINUTE, T0 + 58 * MINUTE, 10)).toEqual([]);
    // a short gap (a restart's) in the window does not make a burst either
    history.pause(T0 + 58 * MINUTE);
    history.resume(T0 + 58 * MINUTE + 4000);
    expect(steadyErrors(history, T0 + 58 * MINUTE + 4000, T0 + 60 * MINUTE, 10)).toEqual([]);
  });

  it('hears a stop before its first line: lines drained after it start a history that stands still', () => {
    const history = new ErrorHistory();
    history.pause(T0 - 50);
    // the app's last lines, read after its exit, then 50 minutes stopped, then 10 errors a second
    history.advance(T0);
    history.add(10, 10, 1);
    history.resume(T0 + 50 * MINUTE);
    expect(steadyErrors(history, T0 + 50 * MINUTE, T0 + 53 * MINUTE, 10)).toEqual([]);
    // a stop and a start both before any line leave nothing out: the history starts with the line after
    const fresh = new ErrorHistory();
    fresh.pause(T0);
    fresh.resume(T0 + 50 * MINUTE);
    expect(fresh.started).toBe(false);
    expect(steadyErrors(fresh, T0 + 50 * MINUTE, T0 + 53 * MINUTE, 10)).toEqual([]);
  });

  it('judges a burst after a restart against the rate while the app ran', () => {
    const history = new ErrorHistory();
    // one error a second for 300 s, 50 minutes stopped, 3 s of the same, then 300 errors at once
    steadyErrors(history, T0, T0 + 300_000, 1);
    history.pause(T0 + 300_000);
    const restart = T0 + 300_000 + 50 * MINUTE;
    history.resume(restart);
    expect(steadyErrors(history, restart, restart + 3000, 1)).toEqual([]);
    history.advance(restart + 3000);
    history.add(301, 301, 301);
    // the window is the last 10 s the app ran (6 s before the stop, 4 after), the 294 s before it the usual rate
    expect(history.burst()).toEqual({ errors: 310, usual: expect.closeTo(10, 9) });
  });

  it('takes a stop longer than the hour as the start of a new history', () => {
    const restart = T0 + 90 * MINUTE;
    /** One error a second for 5 minutes, then stopped until `restart`. */
    const stoppedLong = () => {
      const history = new ErrorHistory();
      steadyErrors(history, T0, T0 + 5 * MINUTE, 1);
      history.pause(T0 + 5 * MINUTE);
      history.resume(restart);
      return history;
    };
    // a flood in the first 19 s after it has no history to be judged against
    const early = stoppedLong();
    steadyErrors(early, restart, restart + 15_000, 1);
    early.advance(restart + 15_000);
    early.add(300, 300, 300);
    expect(early.burst()).toBeUndefined();
    // later it is measured against the time since the restart only
    const later = stoppedLong();
    steadyErrors(later, restart, restart + 40_000, 1);
    later.advance(restart + 40_000);
    later.add(300, 300, 300);
    expect(later.burst()).toEqual({ errors: 309, usual: expect.closeTo(10, 9) });
  });

  it('keeps the previous second’s line count only when it was the second just before', () => {
    const history = new ErrorHistory();
    history.advance(T0);
    history.secondLines = 70;
    history.advance(T0 + 1000);
    expect(history.previousSecondLines).toBe(70);
    history.secondLines = 5;
    history.advance(T0 + 3000);
    expect(history.previousSecondLines).toBe(0);
  });
});

describe('ErrorInspector', () => {
  it('tells error lines apart, mines their template and says when the template is new', () => {
    const inspector = new ErrorInspector();
    expect(inspector.inspect('GET /health 200', 'out').errors).toBe(0);
    expect(inspector.inspect('ERROR connection to db-1 refused', 'out')).toMatchObject({
      errors: 1,
      isNew: true,
    });
    expect(inspector.inspect('ERROR connection to db-2 refused', 'out')).toMatchObject({
      errors: 1,
      isNew: false,
    });
    expect(inspector.fields()).toEqual({
      template: 'ERROR connection to db-<num> refused',
      sample: 'ERROR connection to db-2 refused',
    });
    expect(inspector.inspect('{"level":"error","msg":"disk full"}', 'out')).toMatchObject({
      errors: 1,
      isNew: true,
    });
    expect(inspector.last?.message).toBe('disk full');
  });

  it('takes the exception logged under an error line as part of it, not a second error', () => {
    const inspector = new ErrorInspector();
    expect(inspector.inspect('ERROR:root:payment failed', 'err')).toMatchObject({ errors: 1, isNew: true });
    expect(inspector.inspect('GET /health 200', 'out').errors).toBe(0);
    expect(inspector.inspect('Traceback (most recent call last):', 'err').errors).toBe(0);
    expect(inspector.inspect('  File "/app/pay.py", line 10, in charge', 'err').errors).toBe(0);
    expect(inspector.inspect('ValueError: bad card', 'err').errors).toBe(0);
    expect(inspector.last?.message).toBe('ERROR:root:payment failed');
    // alone (an uncaught error), or picked out of its batch by a sample, it is an error
    expect(inspector.inspect('Error: boom', 'err')).toMatchObject({ errors: 1, isNew: true });
    expect(inspector.inspect('ERROR payment failed', 'out')).toMatchObject({ errors: 1, isNew: true });
    expect(inspector.inspect('java.lang.IllegalStateException: boom', 'out', true)).toMatchObject({
      errors: 1,
      isNew: true,
    });
  });

  it('judges lines behind a leading timestamp as the log engine does: no frame or info line counts', () => {
    const lines: [string, 'out' | 'err'][] = [
      ['2026-12-05T10:00:00Z INFO retry error count=0', 'out'],
      ['2026-12-05T10:00:00Z ERROR db down', 'out'],
      ['2026-12-05T10:00:01Z     at handler (/srv/app.js:10:5)', 'out'],
      ['2026-12-05T10:00:01Z     at Error.captureStackTrace (/srv/app.js:10:5)', 'out'],
      ['2026-12-05T10:00:02Z INFO ok', 'out'],
      ['2026-12-05T10:00:03Z WARN retrying', 'err'],
      ['2026-12-05T10:00:04Z Traceback (most recent call last):', 'err'],
      ['2026-12-05T10:00:04Z   File "a.py", line 3, in f', 'err'],
      ['2026-12-05T10:00:04Z ValueError: bad card', 'err'],
      ['\u001b[2m2026-12-05T10:00:05Z\u001b[0m INFO error handler registered', 'out'],
    ];
    const inspector = new ErrorInspector();
    const parse = createRecordParser();
    const live = lines.filter(([line, stream]) => inspector.inspect(line, stream).errors > 0);
    const engine = lines.filter(([line, stream]) => {
      const parsed = parse({ line, stream });
      return !parsed.isContinuation && (parsed.level === 'error' || parsed.level === 'fatal');
    });
    expect(live).toEqual(engine);
    expect(live.map(([line]) => line)).toEqual([
      '2026-12-05T10:00:00Z ERROR db down',
      // a traceback under a warning: its exception line is the error, as without the times
      '2026-12-05T10:00:04Z ValueError: bad card',
    ]);
    expect(inspector.last?.message).toBe('ValueError: bad card');
  });

  it('cuts a long error message to 500 characters', () => {
    const inspector = new ErrorInspector();
    inspector.inspect(`ERROR ${'x'.repeat(900)}`, 'err');
    expect(inspector.last?.message).toHaveLength(501);
    expect(inspector.last?.template.length).toBeLessThanOrEqual(500);
  });
});
