import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cancelGroupWake, pendingGroupWakes, wakeWithGroup } from '../../src/logs/pause-groups.js';
import { monotonicMs } from '../../src/monotonic-ms.js';

/** Resolves with the monotonic time at which a pause of `pauseMs` begun now ended. */
function pause(pauseMs: number): Promise<number> {
  return new Promise((resolve) => wakeWithGroup(pauseMs, () => resolve(monotonicMs())));
}

/**
 * Resolves in the timers phase of the next turn of the event loop, right after libuv read its clock: a
 * timer set then is not early by the time the loop spent since it last read the clock.
 */
function freshLoopClock(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A counter that moves on once per synchronous run: wake-ups of one timer callback read the same value. */
function runCounter(): () => number {
  let run = 0;
  let isCounting = false;
  return () => {
    if (!isCounting) {
      isCounting = true;
      queueMicrotask(() => {
        run += 1;
        isCounting = false;
      });
    }
    return run;
  };
}

describe('pause groups', () => {
  // the project's files share one module instance (isolate: false): a capture another file left running
  // may still hold a pause of the lengths used here, which these tests would join and end early
  beforeEach(async () => {
    const deadline = Date.now() + 5000;
    while (pendingGroupWakes() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(pendingGroupWakes()).toBe(0);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a pause after its length, not before (a timer may run up to 1 ms early on the loop clock)', async () => {
    for (const pauseMs of [1, 2, 4, 8, 16]) {
      await freshLoopClock();
      const before = monotonicMs();
      expect(await pause(pauseMs)).toBeGreaterThanOrEqual(before + pauseMs - 1);
    }
    expect(pendingGroupWakes()).toBe(0);
  });

  it('lets a pipe that pauses later join the pause under way, which ends sooner than its own', async () => {
    // b joins 5 ms into a's 16 ms pause; on a loaded machine those 5 ms may pass the 16 (a ended
    // first: nothing to judge), so the scene is played until b came in time, at most 10 times
    for (let attempt = 1; ; attempt += 1) {
      const now = runCounter();
      const seen = new Map<string, number>();
      await freshLoopClock();
      const begun = monotonicMs();
      wakeWithGroup(16, () => seen.set('a', now()));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const joinedAt = monotonicMs();
      const ended = new Promise<number>((resolve) =>
        wakeWithGroup(16, () => {
          seen.set('b', now());
          resolve(monotonicMs());
        }),
      );
      // a pause of another length is a group of its own
      const other = pause(8);
      const end = await ended;
      await other;
      if (joinedAt - begun >= 12 && attempt < 10) continue;
      expect(seen.get('b')).toBe(seen.get('a'));
      expect(end).toBeGreaterThanOrEqual(begun + 15);
      expect(pendingGroupWakes()).toBe(0);
      return;
    }
  });

  it('starts a new pause of a length once the last one ended (its timer is refreshed)', async () => {
    await pause(4);
    const before = monotonicMs();
    expect(await pause(4)).toBeGreaterThanOrEqual(before + 3);
  });

  it('does not call a cancelled wake-up and keeps the others', async () => {
    const cancelled = vi.fn();
    wakeWithGroup(2, cancelled);
    const kept = pause(2);
    cancelGroupWake(2, cancelled);
    await kept;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cancelled).not.toHaveBeenCalled();
    expect(pendingGroupWakes()).toBe(0);
  });

  it('wakes every pipe of a pause even when one wake-up throws, then throws its error', async () => {
    const failure = new Error('one pipe failed');
    // vitest's own handlers are set aside while the error is expected; any other error goes to them
    const saved = process.rawListeners('uncaughtException') as Array<(error: Error) => void>;
    process.removeAllListeners('uncaughtException');
    try {
      const caught = new Promise<unknown>((resolve) =>
        process.on('uncaughtException', (error) => {
          if (error === failure) resolve(error);
          else for (const listener of saved) listener(error);
        }),
      );
      wakeWithGroup(2, () => {
        throw failure;
      });
      const kept = pause(2);
      expect(await caught).toBe(failure);
      await kept;
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const listener of saved) process.on('uncaughtException', listener);
    }
    expect(pendingGroupWakes()).toBe(0);
  });

  it('ends its pauses on real time while a test fakes the global timers and the clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'hrtime', 'Date', 'performance'] });
    const ended = vi.fn();
    wakeWithGroup(8, ended);
    vi.useRealTimers();
    const deadline = Date.now() + 1000;
    while (ended.mock.calls.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(ended).toHaveBeenCalledTimes(1);
  });
});
