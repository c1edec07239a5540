import { describe, expect, it } from 'vitest';
import { parseTimeBound, timeBoundProblem } from '../src/time-bound.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');

describe('parseTimeBound', () => {
  it('reads a duration ago and an ISO date or time', () => {
    expect(parseTimeBound('10m', NOW)).toBe(NOW - 600_000);
    expect(parseTimeBound(' 2h ', NOW)).toBe(NOW - 7_200_000);
    expect(parseTimeBound('2026-12-01', NOW)).toBe(Date.parse('2026-12-01'));
    expect(parseTimeBound('2026-12-01T10:00:00Z', NOW)).toBe(Date.parse('2026-12-01T10:00:00Z'));
  });

  it('refuses a bare number (Date read 10 as October 2001, 600 as the year 600) and loose dates', () => {
    for (const text of ['10', '600', '99999', '1.5', '20261201'])
      expect(parseTimeBound(text, NOW), text).toBe('no-unit');
    for (const text of ['yesterday', 'May 3', '10 minutes', '']) {
      expect(parseTimeBound(text, NOW), text).toBeNull();
    }
    // Date.parse carried these into the next month: 2026-02-30 read as March 2
    for (const text of ['2026-02-30', '2026-02-29T10:00:00Z', '2026-04-31', '2026-00-10', '2026-13-01']) {
      expect(parseTimeBound(text, NOW), text).toBeNull();
    }
    expect(parseTimeBound('2028-02-29', NOW)).toBe(Date.parse('2028-02-29'));
    expect(timeBoundProblem('--since', '10')).toBe('--since: add a unit to "10": s, m, h or d (e.g. 10m)');
    expect(timeBoundProblem('since', 'May 3')).toBe(
      'since: expected a duration ago like 10m, 2h, 1d or a time like 2026-12-01T10:00:00Z, got "May 3"',
    );
  });
});
