import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../src/logs/buffer-pool.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('BufferPool', () => {
  it('hands back the buffers given back, newest first, then new ones of its size', () => {
    const pool = new BufferPool(1024);
    const a = pool.take();
    const b = pool.take();
    expect(a.length).toBe(1024);
    expect(a.buffer).not.toBe(b.buffer);
    pool.giveBack(a);
    pool.giveBack(b);
    expect(pool.take()).toBe(b);
    expect(pool.take()).toBe(a);
    expect(pool.take().length).toBe(1024);
  });

  it('drops the free buffers no take needed for a while, down to none', () => {
    vi.useFakeTimers();
    const pool = new BufferPool(1024);
    const buffers = [pool.take(), pool.take(), pool.take()];
    for (const buffer of buffers) pool.giveBack(buffer);
    vi.advanceTimersByTime(4000);
    // all three taken at once again: none is dropped at the next check
    const again = [pool.take(), pool.take(), pool.take()];
    for (const buffer of again) pool.giveBack(buffer);
    vi.advanceTimersByTime(1000);
    expect(pool.freeCount).toBe(3);
    // no take since: all go at the check after
    vi.advanceTimersByTime(5000);
    expect(pool.freeCount).toBe(0);
  });
});
