import { describe, expect, it } from 'vitest';
import { median, percentile, ratio, rotate, summarize } from '../lib/stats.mjs';

describe('stats', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('interpolates percentiles and summarizes', () => {
    expect(percentile([10, 20, 30, 40, 50], 25)).toBe(20);
    expect(summarize([2, 8, 4])).toMatchObject({ n: 3, median: 4, min: 2, max: 8 });
  });

  it('computes ratios only when both sides exist', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
  });

  it('rotates for interleaving', () => {
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
    expect(rotate([], 3)).toEqual([]);
  });
});
