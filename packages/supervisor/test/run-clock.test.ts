import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProcessRecord } from '../src/process-record.js';
import { createRunClock } from '../src/run-clock.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A record with only the two epoch fields the clock reads. */
function recordAt(startedAt: number | null, restartAt: number | null = null): ProcessRecord {
  return { startedAt, restartAt } as ProcessRecord;
}

describe('run clock (monotonic uptimes and restart delays, #15)', () => {
  it('a wall clock set back an hour neither delays a restart nor makes an uptime negative', () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    let mono = 1000;
    const clock = createRunClock(() => mono);
    const record = recordAt(Date.now());
    clock.markOnline(record);
    mono += 5000;
    vi.setSystemTime(Date.now() - 3_600_000 + 5000);
    expect(clock.uptimeMs(record)).toBe(5000);

    record.restartAt = Date.now() + 2000;
    clock.markRestartIn(record, 2000);
    vi.setSystemTime(Date.now() - 3_600_000);
    expect(clock.restartInMs(record)).toBe(2000);
    mono += 2000;
    expect(clock.restartInMs(record)).toBe(0);
  });

  it('a wall clock moved forward a day neither hurries a restart nor inflates an uptime', () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    let mono = 0;
    const clock = createRunClock(() => mono);
    const record = recordAt(Date.now());
    clock.markOnline(record);
    record.restartAt = Date.now() + 10_000;
    clock.markRestartIn(record, 10_000);
    vi.setSystemTime(Date.now() + 86_400_000);
    mono += 3000;
    expect(clock.uptimeMs(record)).toBe(3000);
    expect(clock.restartInMs(record)).toBe(7000);
  });

  it('a re-adopted run keeps the age it had; records it never saw fall back to their epoch times', () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    const mono = 50_000;
    const clock = createRunClock(() => mono);
    const adopted = recordAt(Date.now() - 60_000);
    clock.markOnline(adopted);
    expect(clock.uptimeMs(adopted)).toBe(60_000);
    expect(clock.uptimeMs(recordAt(Date.now() - 1234))).toBe(1234);
    expect(clock.uptimeMs(recordAt(null))).toBe(0);
    expect(clock.restartInMs(recordAt(null, Date.now() + 400))).toBe(400);
    // A new run (another startedAt) is not measured from the old mark.
    adopted.startedAt = Date.now() - 10;
    expect(clock.uptimeMs(adopted)).toBe(10);
  });
});
