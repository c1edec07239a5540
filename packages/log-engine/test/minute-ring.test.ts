import { describe, expect, it } from 'vitest';
import { minuteOf, slotOf, sumMinutes, trendOf } from '../src/minute-ring.js';

/** A ring of 10 minutes holding `counts` for minutes 0.. */
function ring(counts: number[]): Uint32Array {
  const r = new Uint32Array(10);
  counts.forEach((c, m) => {
    r[slotOf(m, 10)] = c;
  });
  return r;
}

describe('minute ring', () => {
  it('maps times to minutes and minutes to slots, negative ones too', () => {
    expect(minuteOf(Date.UTC(1970, 0, 1, 0, 2, 59))).toBe(2);
    expect(slotOf(23, 10)).toBe(3);
    expect(slotOf(-1, 10)).toBe(9);
    expect(sumMinutes(ring([1, 2, 3, 4]), 1, 3)).toBe(9);
  });

  it('calls a trend only with enough minutes and enough lines', () => {
    expect(trendOf(ring([0, 0, 9]), 0, 2)).toBe('stable');
    expect(trendOf(ring([1, 1, 3, 3]), 0, 3)).toBe('rising');
    expect(trendOf(ring([1, 1, 2, 2]), 0, 3)).toBe('stable');
    expect(trendOf(ring([6, 6, 1, 1]), 0, 3)).toBe('declining');
    // With an odd span the middle minute belongs to neither half.
    expect(trendOf(ring([0, 0, 50, 1, 1]), 0, 4)).toBe('rising');
  });
});
