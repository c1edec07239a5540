import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMEOUT_MS, setLongTimeout } from '../src/long-timer.js';

const DAY_MS = 86_400_000;

describe('setLongTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'hrtime', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a 30-day delay after 30 days, not at once (a bare setTimeout fires after 1 ms)', () => {
    const fn = vi.fn();
    setLongTimeout(fn, 30 * DAY_MS);
    vi.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMEOUT_MS);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY_MS - MAX_TIMEOUT_MS - 1001);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100 * DAY_MS);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('fires a short delay like setTimeout, never synchronously', () => {
    const fn = vi.fn();
    setLongTimeout(fn, 0);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    const later = vi.fn();
    setLongTimeout(later, 250);
    vi.advanceTimersByTime(249);
    expect(later).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('is cancelled by clear, also between two links of the chain', () => {
    const fn = vi.fn();
    const timer = setLongTimeout(fn, 60 * DAY_MS);
    vi.advanceTimersByTime(MAX_TIMEOUT_MS + 10);
    timer.clear();
    vi.advanceTimersByTime(60 * DAY_MS);
    expect(fn).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits on when the clock says the time is not due yet (a timeout that fires early)', () => {
    const fn = vi.fn();
    setLongTimeout(fn, 100);
    // the timer queue and the monotonic clock disagree: the clock is 40 ms behind when the timeout fires
    const [seconds, nanoseconds] = process.hrtime();
    const spy = vi.spyOn(process, 'hrtime').mockReturnValue([seconds, nanoseconds + 60e6]);
    vi.advanceTimersToNextTimer();
    expect(fn).not.toHaveBeenCalled();
    spy.mockRestore();
    vi.advanceTimersByTime(100);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
