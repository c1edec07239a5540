import { describe, expect, it } from 'vitest';
import { MAX_HISTORY_ANSWER_POINTS } from '../../src/metrics/history-query.js';
import { HISTORY_COARSE_MS } from '../../src/metrics/history-series.js';
import { HistoryStore, type ProcessSample } from '../../src/metrics/history-store.js';

const INTERVAL_MS = 2000;
// a whole minute, so that minute buckets line up with the samples
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const labels = (id: number, name = `app${id}`) => ({ id, name, instance: 0, namespace: 'default' });
const running = (cpu: number, logLines = 0, restarts = 0): ProcessSample => ({
  isRunning: true,
  cpu,
  memory: cpu * 1_000_000,
  restarts,
  logLines,
});
const stopped: ProcessSample = { isRunning: false, cpu: 0, memory: 0, restarts: 0, logLines: 0 };

/** Feeds `minutes` of samples every 2 s to process 0 with cpu = the minute's number. */
function fill(store: HistoryStore, minutes: number, start = T0): number {
  let at = start;
  for (let minute = 0; minute < minutes; minute += 1) {
    for (let i = 0; i < HISTORY_COARSE_MS / INTERVAL_MS; i += 1) {
      store.add(0, 'app0', at, running(minute, (at - start) / INTERVAL_MS));
      at += INTERVAL_MS;
    }
  }
  return at;
}

describe('HistoryStore', () => {
  it('costs nothing for a process that never ran, and records a log rate from the line counts', () => {
    const store = new HistoryStore(INTERVAL_MS);
    store.add(1, 'idle', T0, stopped);
    expect(store.series.size).toBe(0);
    store.add(2, 'web', T0, running(5, 100));
    store.add(2, 'web', T0 + 2000, running(7, 110));
    const [history] = store.query([labels(2, 'web')], {}, T0 + 3000);
    expect(history).toMatchObject({
      t: [T0, T0 + 2000],
      cpu: [5, 7],
      memory: [5e6, 7e6],
      logRate: [null, 5],
    });
  });

  it('records one gap when a process stops and a gap point after a pause, never zeros', () => {
    const store = new HistoryStore(INTERVAL_MS);
    store.add(0, 'app0', T0, running(1));
    store.add(0, 'app0', T0 + 2000, stopped);
    store.add(0, 'app0', T0 + 4000, stopped);
    store.add(0, 'app0', T0 + 60_000, running(3));
    const [history] = store.query([labels(0)], {}, T0 + 61_000);
    expect(history!.cpu).toEqual([1, null, null, 3]);
    expect(history!.t).toEqual([T0, T0 + 2000, T0 + 4000, T0 + 60_000]);
  });

  it('keeps the restart count in the gap of a stop: the last restarts of a crash loop that errored count', () => {
    const store = new HistoryStore(INTERVAL_MS);
    store.add(0, 'app0', T0, running(1, 0, 13));
    // restarts 14 to 16 came and went between two samples, then the process errored
    store.add(0, 'app0', T0 + 2000, { ...stopped, restarts: 16 });
    const [history] = store.query([labels(0)], {}, T0 + 3000);
    expect(history!.cpu).toEqual([1, null]);
    expect(history!.restarts).toEqual([13, 16]);
  });

  it('never lowers the restarts column: a lower count (a new daemon after velos reset) counts on from the last', () => {
    const store = new HistoryStore(INTERVAL_MS);
    store.add(0, 'app0', T0, running(1, 0, 5));
    // a pause without points (the daemon was down), then a count from a table reset to 0 and one restart since
    store.add(0, 'app0', T0 + 60_000, running(1, 0, 1));
    store.add(0, 'app0', T0 + 62_000, { ...stopped, restarts: 2 });
    store.add(0, 'app0', T0 + 64_000, running(1, 0, 3));
    const [history] = store.query([labels(0)], {}, T0 + 65_000);
    expect(history!.restarts).toEqual([5, null, 5, 6, 7]);
  });

  it('counts the restarts of the window from its start: a crash loop over before the first sample counts', () => {
    const store = new HistoryStore(INTERVAL_MS);
    // added at T0, restarted 3 times before its first sample at T0 + 2 s
    for (let n = 1; n <= 5; n += 1) store.add(0, 'app0', T0 + n * 2000, running(1, 0, 3));
    const added = { ...labels(0), createdAt: T0, restarts: 3 };
    const [history] = store.query([added], { sinceMs: 60_000 }, T0 + 11_000);
    expect(history!.restarts).toEqual([3, 3, 3, 3, 3]);
    expect(history!.restartsInWindow).toBe(3);
    // added before the window: from its last point before the window (5), not its first in it (8)
    const old = new HistoryStore(INTERVAL_MS);
    for (let n = 0; n <= 30; n += 1) old.add(0, 'app0', T0 + n * 2000, running(1, 0, 5));
    for (let n = 31; n <= 35; n += 1) old.add(0, 'app0', T0 + n * 2000, running(1, 0, 8));
    const older = { ...labels(0), createdAt: T0, restarts: 8 };
    const [recent] = old.query([older], { sinceMs: 9_000 }, T0 + 70_000);
    expect(recent!.restarts).toEqual([8, 8, 8, 8, 8]);
    expect(recent!.restartsInWindow).toBe(3);
    // a restart the table counted since the last sample counts too
    expect(old.query([{ ...older, restarts: 9 }], { sinceMs: 9_000 }, T0 + 70_000)[0]!.restartsInWindow).toBe(
      4,
    );
  });

  it('counts the restarts of a process that never ran in the window, when it was added in it', () => {
    const store = new HistoryStore(INTERVAL_MS);
    // a crash loop that errored before any sample saw it running: no series, the table's count
    const [looped, before] = store.query(
      [
        { ...labels(0), createdAt: T0, restarts: 4 },
        { ...labels(1), createdAt: T0 - 7_200_000, restarts: 4 },
      ],
      { sinceMs: 60_000 },
      T0 + 5000,
    );
    expect(looped).toEqual({
      ...labels(0),
      t: [],
      cpu: [],
      memory: [],
      restarts: [],
      logRate: [],
      restartsInWindow: 4,
    });
    // added before the window with no point: when its restarts came is unknown
    expect(before!.restartsInWindow).toBe(undefined);
  });

  it('keeps the last hour at full resolution and the 23 hours before as 1-minute means', () => {
    const store = new HistoryStore(INTERVAL_MS);
    const end = fill(store, 24 * 60);
    const [history] = store.query([labels(0)], {}, end);
    const fine = history!.t.filter((t, i) => i > 0 && t - history!.t[i - 1]! === INTERVAL_MS).length + 1;
    expect(fine).toBe(1800);
    // 1440 minutes minus the hour held at full resolution
    expect(history!.t.length).toBe(1800 + 1380);
    expect(history!.t[0]).toBe(T0);
    expect(history!.cpu[0]).toBe(0);
    expect(history!.t[1380]).toBe(T0 + 1380 * HISTORY_COARSE_MS);
    expect(history!.cpu[1380]).toBe(1380);
    // 1 line every 2 s
    expect(history!.logRate[1]).toBeCloseTo(0.5, 2);
    // within 10 MB for 100 such processes
    expect(store.byteLength() * 100).toBeLessThan(10 * 1024 * 1024);
  });

  it('answers sinceMs and downsamples evenly in time to `points`', () => {
    const store = new HistoryStore(INTERVAL_MS);
    const end = fill(store, 180);
    const [lastHour] = store.query([labels(0)], { sinceMs: 3_600_000 }, end);
    expect(lastHour!.t.length).toBe(1800);
    const [day] = store.query([labels(0)], { points: 60 }, end);
    expect(day!.t.length).toBe(60);
    // 3 hours in 60 points: 3 minutes each, means of cpu = minute number, no gap
    expect(day!.cpu.every((cpu) => cpu !== null)).toBe(true);
    expect(day!.cpu[0]).toBeCloseTo(1, 0);
    expect(day!.cpu.at(-1)).toBeCloseTo(178, 0);
    const widths = day!.t.slice(1).map((t, i) => t - day!.t[i]!);
    expect(Math.max(...widths) - Math.min(...widths)).toBeLessThanOrEqual(1);
    // more points than the coarse part has: covered by the minute means, not gaps
    const [dense] = store.query([labels(0)], { points: 2000 }, end);
    expect(dense!.cpu.filter((cpu) => cpu === null)).toEqual([]);
  });

  it('keeps gaps as gaps when it downsamples', () => {
    const store = new HistoryStore(INTERVAL_MS);
    let at = T0;
    for (const isRunning of [true, false, true]) {
      // 10 minutes each: running, stopped (the daemon samples other apps), running
      for (let i = 0; i < 300; i += 1, at += INTERVAL_MS)
        store.add(0, 'app0', at, { ...running(7), isRunning });
    }
    const [history] = store.query([labels(0)], { points: 30 }, at);
    expect(history!.cpu.map((cpu) => (cpu === null ? '_' : 'x')).join('')).toBe(
      `${'x'.repeat(10)}${'_'.repeat(10)}${'x'.repeat(10)}`,
    );
  });

  it('keeps an answer for many processes within its size limit and says it cut', () => {
    const store = new HistoryStore(INTERVAL_MS);
    fill(store, 120);
    const processes = Array.from({ length: 200 }, (_, i) =>
      labels(i === 0 ? 0 : 1000 + i, i === 0 ? 'app0' : 'x'),
    );
    const answer = store.query(processes, {}, T0 + 120 * HISTORY_COARSE_MS);
    const share = Math.floor(MAX_HISTORY_ANSWER_POINTS / 200);
    expect(answer[0]!.t.length).toBe(share);
    expect(answer[0]!.cut).toEqual({ maxPoints: share, omittedPoints: 60 + 1800 - share });
    expect(answer[1]).toMatchObject({ t: [], cpu: [] });
  });

  it('drops a deleted process, and a process whose name changed starts afresh', () => {
    const store = new HistoryStore(INTERVAL_MS);
    store.add(0, 'old', T0, running(1));
    store.add(0, 'new', T0 + 2000, running(2));
    expect(store.query([labels(0, 'new')], {}, T0 + 3000)[0]!.cpu).toEqual([2]);
    expect(store.query([labels(0, 'old')], {}, T0 + 3000)[0]!.cpu).toEqual([]);
    store.forget(0);
    expect(store.series.size).toBe(0);
  });
});
