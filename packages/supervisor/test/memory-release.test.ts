import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIdleCollection, createMemoryRelease } from '../src/memory-release.js';

/** The full collections among `collect`'s calls (Node 20 gets a young one before each). */
const fullCollections = (collect: ReturnType<typeof vi.fn>): number =>
  collect.mock.calls.filter(([options]) => options?.type !== 'minor').length;

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
    expect(fullCollections(collect)).toBe(1);
    release();
    vi.advanceTimersByTime(1000);
    expect(fullCollections(collect)).toBe(2);
  });

  it('does nothing without a collector (the daemon started without --expose-gc)', () => {
    vi.useFakeTimers();
    const release = createMemoryRelease(undefined);
    release();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createIdleCollection', () => {
  it('collects once 3 s after the last touch, then at most once per 10 s', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const idle = createIdleCollection(collect, () => Date.now());
    idle.touch();
    vi.advanceTimersByTime(2000);
    idle.touch();
    vi.advanceTimersByTime(2999);
    expect(fullCollections(collect)).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fullCollections(collect)).toBe(1);
    // a burst 1 s later: quiet for 3 s, but the next collection waits for 10 s after the last one
    vi.advanceTimersByTime(1000);
    idle.touch();
    vi.advanceTimersByTime(3000);
    expect(fullCollections(collect)).toBe(1);
    vi.advanceTimersByTime(6000);
    expect(fullCollections(collect)).toBe(2);
    vi.advanceTimersByTime(60_000);
    expect(fullCollections(collect)).toBe(2);
  });

  it('does nothing without a collector', () => {
    vi.useFakeTimers();
    createIdleCollection(undefined).touch();
    expect(vi.getTimerCount()).toBe(0);
  });
});
