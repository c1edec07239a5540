import { findMemoryGrowth, MEMORY_GROWTH_WINDOW_MS } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { checkMemoryGrowth } from '../src/health/memory-growth-check.js';
import { HistoryStore } from '../src/metrics/history-store.js';

const MB = 1_000_000;
const INTERVAL_MS = 2000;

/** A store fed like the monitor feeds it: 12 minutes of samples of a leak and of a steady app. */
function fedStore(now: number): HistoryStore {
  const store = new HistoryStore(INTERVAL_MS);
  for (let at = now - 12 * 60_000; at <= now; at += INTERVAL_MS) {
    const minute = (at - (now - 12 * 60_000)) / 60_000;
    const sample = { isRunning: true, cpu: 1, restarts: 0, logLines: 0 };
    store.add(0, 'leak', at, { ...sample, memory: 40 * MB + minute * 6 * MB });
    store.add(1, 'steady', at, { ...sample, memory: 60 * MB + (minute % 1) * 3 * MB });
  }
  return store;
}

describe('memory growth from the metrics history', () => {
  it("finds the leak in the store's own history, not the steady app", () => {
    const now = Date.UTC(2026, 11, 1, 12);
    const store = fedStore(now);
    const labels = [
      { id: 0, name: 'leak', instance: 0, namespace: 'default' },
      { id: 1, name: 'steady', instance: 0, namespace: 'default' },
    ];
    const [leak, steady] = store.query(labels, { sinceMs: MEMORY_GROWTH_WINDOW_MS + 60_000 }, now);
    expect(findMemoryGrowth(leak!.t, leak!.memory)?.mbPerMin).toBeCloseTo(6, 0);
    expect(findMemoryGrowth(steady!.t, steady!.memory)).toBeNull();
  });

  it('is a degraded memory component naming each app, healthy without one', () => {
    expect(checkMemoryGrowth([])).toMatchObject({ name: 'memory', status: 'healthy' });
    const component = checkMemoryGrowth([
      { id: 2, name: 'leak', growth: { mbPerMin: 6, minutes: 10, fromBytes: 40 * MB, toBytes: 100 * MB } },
    ]);
    expect(component).toMatchObject({ name: 'memory', status: 'degraded', value: 1 });
    expect(component.reason).toMatch(
      /^leak \(id 2\): memory grows 6 MB\/min for 10 min .*no max_memory; set max_memory/,
    );
  });
});
