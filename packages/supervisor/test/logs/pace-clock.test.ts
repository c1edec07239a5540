import { afterEach, describe, expect, it, vi } from 'vitest';
import { cancelWake, pendingWakes, wakeAtNextTick } from '../../src/logs/pace-clock.js';
import { monotonicMs } from '../../src/monotonic-ms.js';

/** Resolves with the monotonic time at which `wakeAtNextTick(pauseMs)` called back, and its tick. */
function wakeAfter(pauseMs: number): { tick: number; at: Promise<number> } {
  let tick = 0;
  const at = new Promise<number>((resolve) => {
    tick = wakeAtNextTick(pauseMs, () => resolve(monotonicMs()));
  });
  return { tick, at };
}

describe('pace clock', () => {
  it('wakes at the next multiple of the pause, never later than the pause from now', async () => {
    for (const pauseMs of [1, 2, 4, 8]) {
      const before = monotonicMs();
      const { tick, at } = wakeAfter(pauseMs);
      const after = monotonicMs();
      expect(tick % pauseMs).toBe(0);
      expect(tick).toBeGreaterThan(before);
      expect(tick).toBeLessThanOrEqual(after + pauseMs);
      // a timer runs on the event loop's clock: up to a millisecond early counts as on time
      expect(await at).toBeGreaterThanOrEqual(tick - 1);
    }
    expect(pendingWakes()).toBe(0);
  });

  it('wakes pipes paused alike, asked at different times, in one timer callback', async () => {
    // wake-ups called in one synchronous run share a batch number; a later callback gets the next one
    let batch = 0;
    let isCounting = false;
    const batchNow = (): number => {
      if (!isCounting) {
        isCounting = true;
        queueMicrotask(() => {
          batch += 1;
          isCounting = false;
        });
      }
      return batch;
    };
    const seen = new Map<string, number>();
    const ticks = new Map<string, number>();
    const ask = (name: string, pauseMs: number) =>
      ticks.set(
        name,
        wakeAtNextTick(pauseMs, () => seen.set(name, batchNow())),
      );
    // just after a tick of 8: the next one is ~8 ms away, far more than a turn of the event loop
    await wakeAfter(8).at;
    ask('a', 8);
    await new Promise((resolve) => setImmediate(resolve));
    ask('b', 8);
    ask('c', 4);
    const deadline = Date.now() + 1000;
    while (seen.size < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(seen.size).toBe(3);
    expect(ticks.get('b')).toBe(ticks.get('a'));
    expect(seen.get('b')).toBe(seen.get('a'));
    // the 4 ms pause ends at the same tick or at the one before it (with it when that timer runs late)
    if (ticks.get('c') === ticks.get('a')) expect(seen.get('c')).toBe(seen.get('a'));
    else expect(seen.get('c')).toBeLessThanOrEqual(seen.get('a')!);
    expect(pendingWakes()).toBe(0);
  });

  it('does not call a cancelled wake-up and keeps the others', async () => {
    let cancelled = 0;
    const onCancelled = () => {
      cancelled += 1;
    };
    const tick = wakeAtNextTick(2, onCancelled);
    const kept = wakeAfter(2);
    cancelWake(tick, onCancelled);
    await kept.at;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cancelled).toBe(0);
    expect(pendingWakes()).toBe(0);
  });

  it('a wake-up asked from a wake-up comes at its own next tick', async () => {
    const times: number[] = [];
    await new Promise<void>((resolve) => {
      wakeAtNextTick(4, () => {
        times.push(monotonicMs());
        wakeAtNextTick(4, () => {
          times.push(monotonicMs());
          resolve();
        });
      });
    });
    expect(times[1]! - times[0]!).toBeGreaterThan(0);
    expect(pendingWakes()).toBe(0);
  });
});

describe('pace clock after its timer was lost', () => {
  afterEach(() => vi.useRealTimers());

  it('arms again when a wake-up was asked for while the clock was faked, and calls both', async () => {
    // a test that fakes hrtime and setTimeout leaves a tick on the fake clock and a timer that never fires
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'hrtime'] });
    let early = 0;
    wakeAtNextTick(16, () => {
      early += 1;
    });
    vi.useRealTimers();
    const { at } = wakeAfter(2);
    await at;
    await vi.waitFor(() => expect(early).toBe(1), { timeout: 1000 });
    expect(pendingWakes()).toBe(0);
  });

  it('calls a wake-up whose timer fired while hrtime was faked (the clock read far in the past)', async () => {
    let woken = 0;
    wakeAtNextTick(8, () => {
      woken += 1;
    });
    // the real timer fires while the clock reads fake, near-zero times: its tick looks hours away
    vi.useFakeTimers({ toFake: ['hrtime'] });
    await new Promise((resolve) => setTimeout(resolve, 30));
    vi.useRealTimers();
    await vi.waitFor(() => expect(woken).toBe(1), { timeout: 1000, interval: 5 });
    expect(pendingWakes()).toBe(0);
  });
});
