import { describe, expect, it } from 'vitest';
import {
  describeMemoryGrowth,
  findMemoryGrowth,
  MEMORY_GROWTH_MIN_MB_PER_MIN,
  MEMORY_GROWTH_WINDOW_MS,
} from '../src/memory-growth.js';

const MB = 1_000_000;
const STEP_MS = 2000;
const T0 = Date.UTC(2026, 11, 1);

/** A synthetic history of `minutes` at the sampling step: RSS from `rss(minute)`, with saw-tooth noise of `noiseMb`. */
function history(minutes: number, rss: (minute: number) => number | null, noiseMb = 0) {
  const t: number[] = [];
  const memory: (number | null)[] = [];
  for (let at = 0; at <= minutes * 60_000; at += STEP_MS) {
    const value = rss(at / 60_000);
    t.push(T0 + at);
    // a collection every 20 s drops a few MB: growth is judged on span means, not point by point
    memory.push(value === null ? null : value - ((at / STEP_MS) % 10) * noiseMb * MB);
  }
  return { t, memory };
}

describe('findMemoryGrowth', () => {
  it('finds a leak of 5 MB/min over the last 10 minutes, through GC saw-teeth', () => {
    const { t, memory } = history(15, (m) => 40 * MB + m * 5 * MB, 1);
    const growth = findMemoryGrowth(t, memory);
    expect(growth).not.toBeNull();
    expect(growth!.mbPerMin).toBeGreaterThan(4.5);
    expect(growth!.mbPerMin).toBeLessThan(5.5);
    expect(growth!.minutes).toBe(10);
    expect(describeMemoryGrowth(growth!)).toMatch(
      /^memory grows \d+(\.\d)? MB\/min for 10 min \(.+ → .+\), no max_memory$/,
    );
  });

  it('leaves out growth slower than the threshold, a flat RSS and one that grew then settled', () => {
    const slow = history(12, (m) => 40 * MB + m * MEMORY_GROWTH_MIN_MB_PER_MIN * 0.5 * MB);
    expect(findMemoryGrowth(slow.t, slow.memory)).toBeNull();
    const flat = history(12, () => 80 * MB, 2);
    expect(findMemoryGrowth(flat.t, flat.memory)).toBeNull();
    // warm-up: grows for 5 minutes, then flat for 7 (the last spans do not grow)
    const settled = history(12, (m) => 40 * MB + Math.min(m, 5) * 10 * MB);
    expect(findMemoryGrowth(settled.t, settled.memory)).toBeNull();
  });

  it('does not judge a history shorter than the window, or with a gap (a restart) in it', () => {
    const young = history(8, (m) => 40 * MB + m * 20 * MB);
    expect(findMemoryGrowth(young.t, young.memory)).toBeNull();
    const restarted = history(15, (m) => (m > 9 && m < 9.1 ? null : 40 * MB + m * 20 * MB));
    expect(findMemoryGrowth(restarted.t, restarted.memory)).toBeNull();
    expect(findMemoryGrowth([], [])).toBeNull();
  });

  it('takes history at 1-minute points (older than the fine ring) as well', () => {
    const t: number[] = [];
    const memory: number[] = [];
    for (let m = 0; m <= MEMORY_GROWTH_WINDOW_MS / 60_000; m += 1) {
      t.push(T0 + m * 60_000);
      memory.push(100 * MB + m * 3 * MB);
    }
    expect(findMemoryGrowth(t, memory)).toMatchObject({ mbPerMin: 3, minutes: 10 });
  });
});
