import { describe, expect, it } from 'vitest';
import { isoTime } from '../src/iso-time.js';

describe('isoTime', () => {
  it('is toISOString for every time in years 0–9999', () => {
    const min = Date.parse('0000-01-01T00:00:00.000Z');
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    let seed = 17;
    for (let i = 0; i < 5000; i += 1) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const ms = min + Math.floor((seed / 2 ** 31) * (max - min)) + (i % 1000);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    for (const ms of [0, 1, 999, Date.UTC(2026, 11, 2, 3, 4, 5, 60), min, max]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('gives the extended years and the RangeError of toISOString', () => {
    const far = Date.UTC(10000, 0, 1);
    expect(isoTime(far)).toBe('+010000-01-01T00:00:00.000Z');
    expect(isoTime(Date.UTC(-1, 0, 1))).toBe(new Date(Date.UTC(-1, 0, 1)).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
