import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRelease } from '../src/memory-release.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('createMemoryRelease', () => {
  it('runs one collection a second after the last release of a burst', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const release = createMemoryRelease(collect);
    release();
    vi.advanceTimersByTime(600);
    release();
    vi.advanceTimersByTime(999);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    release();
    vi.advanceTimersByTime(1000);
    expect(collect).toHaveBeenCalledTimes(2);
  });

  it('does nothing without a collector (the daemon started without --expose-gc)', () => {
    vi.useFakeTimers();
    const release = createMemoryRelease(undefined);
    release();
    expect(vi.getTimerCount()).toBe(0);
  });
});
