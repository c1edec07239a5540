import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../src/metrics/history-ring.js';

const point = (n: number) => ({ cpu: n, memory: n * 1000, restarts: n % 3, logRate: n / 2 });

function contents(ring: HistoryRing): { t: number[]; cpu: number[] } {
  const t: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < ring.count; i += 1) {
    t.push(ring.timeAt(i));
    cpu.push(ring.valueAt(0, i));
  }
  return { t, cpu };
}

describe('HistoryRing', () => {
  it('holds nothing until the first point, then grows by chunks up to its capacity', () => {
    const ring = new HistoryRing(10, 4, true);
    expect(ring.byteLength()).toBe(0);
    ring.push(point(1), 1000);
    expect(ring.byteLength()).toBe(4 * 24);
    for (let n = 2; n <= 5; n += 1) ring.push(point(n), n * 1000);
    expect(ring.byteLength()).toBe(8 * 24);
    for (let n = 6; n <= 12; n += 1) ring.push(point(n), n * 1000);
    expect(ring.byteLength()).toBe(10 * 24);
    expect(ring.count).toBe(10);
  });

  it('keeps the newest points in order once it wraps', () => {
    const ring = new HistoryRing(5, 2, true);
    for (let n = 1; n <= 13; n += 1) ring.push(point(n), n * 1000);
    expect(contents(ring)).toEqual({ t: [9000, 10000, 11000, 12000, 13000], cpu: [9, 10, 11, 12, 13] });
    expect(ring.valueAt(1, 4)).toBe(13_000);
    expect(ring.valueAt(3, 0)).toBe(4.5);
  });

  it('writes its points oldest first and reads them back, keeping the newest that fit', () => {
    const ring = new HistoryRing(6, 4, true);
    for (let n = 1; n <= 9; n += 1) ring.push(point(n), n * 1000);
    const bytes = Buffer.concat([...ring.byteParts()]);
    expect(bytes.length).toBe(6 * 24);
    const copy = new HistoryRing(6, 4, true);
    expect(copy.readBytes(bytes, 6)).toBe(bytes.length);
    expect(contents(copy)).toEqual(contents(ring));
    const smaller = new HistoryRing(4, 4, true);
    smaller.readBytes(bytes, 6);
    expect(contents(smaller)).toEqual({ t: [6000, 7000, 8000, 9000], cpu: [6, 7, 8, 9] });
    // the copy goes on like the original
    copy.push(point(10), 10_000);
    expect(contents(copy).cpu).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('keeps a gap (NaN) as a gap, and a ring without times costs 16 bytes a point', () => {
    const ring = new HistoryRing(4, 4, false);
    ring.push({ cpu: Number.NaN, memory: Number.NaN, restarts: Number.NaN, logRate: Number.NaN });
    expect(Number.isNaN(ring.valueAt(0, 0))).toBe(true);
    expect(ring.byteLength()).toBe(4 * 16);
    ring.clear();
    expect(ring.count).toBe(0);
    expect(ring.byteLength()).toBe(0);
  });
});
