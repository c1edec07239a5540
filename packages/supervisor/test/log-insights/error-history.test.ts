import { describe, expect, it } from 'vitest';
import { ERROR_BURST_MIN_ERRORS, ErrorHistory } from '../../src/log-insights/error-history.js';
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

describe('ErrorHistory', () => {
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
    expect(inspector.inspect('GET /health 200', 'out')).toBeUndefined();
    expect(inspector.inspect('ERROR connection to db-1 refused', 'out')).toEqual({ isNew: true });
    expect(inspector.inspect('ERROR connection to db-2 refused', 'out')).toEqual({ isNew: false });
    expect(inspector.fields()).toEqual({
      template: 'ERROR connection to db-<num> refused',
      sample: 'ERROR connection to db-2 refused',
    });
    expect(inspector.inspect('{"level":"error","msg":"disk full"}', 'out')).toEqual({ isNew: true });
    expect(inspector.last?.message).toBe('disk full');
  });

  it('takes the exception logged under an error line as part of it, not a second error', () => {
    const inspector = new ErrorInspector();
    expect(inspector.inspect('ERROR:root:payment failed', 'err')).toEqual({ isNew: true });
    expect(inspector.inspect('GET /health 200', 'out')).toBeUndefined();
    expect(inspector.inspect('Traceback (most recent call last):', 'err')).toBeUndefined();
    expect(inspector.inspect('  File "/app/pay.py", line 10, in charge', 'err')).toBeUndefined();
    expect(inspector.inspect('ValueError: bad card', 'err')).toBeUndefined();
    expect(inspector.last?.message).toBe('ERROR:root:payment failed');
    // alone (an uncaught error), or picked out of its batch by a sample, it is an error
    expect(inspector.inspect('Error: boom', 'err')).toEqual({ isNew: true });
    expect(inspector.inspect('ERROR payment failed', 'out')).toEqual({ isNew: true });
    expect(inspector.inspect('java.lang.IllegalStateException: boom', 'out', true)).toEqual({ isNew: true });
  });

  it('cuts a long error message to 500 characters', () => {
    const inspector = new ErrorInspector();
    inspector.inspect(`ERROR ${'x'.repeat(900)}`, 'err');
    expect(inspector.last?.message).toHaveLength(501);
    expect(inspector.last?.template.length).toBeLessThanOrEqual(500);
  });
});
