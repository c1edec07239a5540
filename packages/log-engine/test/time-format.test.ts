import { describe, expect, it } from 'vitest';
import { formatClock, formatCount, formatDay, formatRate, formatSpan } from '../src/time-format.js';

describe('time and number formatting', () => {
  const ts = Date.UTC(2026, 10, 22, 9, 5, 7);

  it('writes clocks and days in UTC or local time', () => {
    expect(formatClock(ts, { utc: true })).toBe('09:05');
    expect(formatClock(ts, { utc: true }, true)).toBe('09:05:07');
    expect(formatDay(ts, { utc: true })).toBe('2026-11-22');
    const local = new Date(ts);
    expect(formatClock(ts)).toBe(
      `${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}`,
    );
  });

  it('writes spans, counts and rates the short way', () => {
    expect(formatSpan(45_000)).toBe('45s');
    expect(formatSpan(42 * 60_000)).toBe('42m');
    expect(formatSpan(185 * 60_000)).toBe('3h 5m');
    expect(formatSpan(52 * 3_600_000)).toBe('2d 4h');
    expect(formatSpan(48 * 3_600_000)).toBe('2d');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatRate(20.25)).toBe('20.3');
    expect(formatRate(1234.5)).toBe('1235');
  });
});
