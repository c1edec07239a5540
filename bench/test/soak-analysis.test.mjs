import { describe, expect, it } from 'vitest';
import { isFlat, linearFit, secondHalfTrend } from '../lib/soak-analysis.mjs';

describe('soak analysis', () => {
  it('fits a line through points', () => {
    const fit = linearFit([0, 1, 2, 3].map((x) => ({ x, y: 2 * x + 1 })));
    expect(fit.slope).toBeCloseTo(2);
    expect(fit.intercept).toBeCloseTo(1);
    expect(linearFit([{ x: 1, y: 5 }]).slope).toBe(0);
    expect(fit.slopeError).toBeCloseTo(0);
    const noisy = linearFit([0, 1, 2, 3, 4, 5].map((x) => ({ x, y: x % 2 ? 3 : 0 })));
    expect(noisy.slopeError).toBeGreaterThan(0);
  });

  it('measures the trend over the second half only, per minute and in % of the run', () => {
    const runMs = 10 * 60_000;
    // a warm-up climb in the first half, then 0.5 MB/min on a level of ~100 MB
    const samples = Array.from({ length: 121 }, (_, i) => {
      const tMs = i * 5000;
      return { tMs, rss: tMs < runMs / 2 ? tMs / 10_000 : 100 + (0.5 * tMs) / 60_000 };
    });
    const trend = secondHalfTrend(samples, 'rss', runMs);
    expect(trend.slopePerMin).toBeCloseTo(0.5);
    expect(trend.runPercent).toBeCloseTo((0.5 * 10 * 100) / trend.median);
    expect(trend.early).toBeLessThan(trend.late);
  });

  it('calls a count flat within 5% or a slack of 2, growing beyond', () => {
    const runMs = 10 * 60_000;
    expect(isFlat({ slopePerMin: 0.1, median: 300 }, runMs)).toBe(true);
    expect(isFlat({ slopePerMin: 2, median: 300 }, runMs)).toBe(false);
    expect(isFlat({ slopePerMin: 0.15, median: 3 }, runMs)).toBe(true);
    expect(isFlat({ slopePerMin: 1, median: 3 }, runMs)).toBe(false);
    // noise: a slope within twice its standard error is not growth
    expect(isFlat({ slopePerMin: 1, slopeErrorPerMin: 0.6, median: 3 }, runMs)).toBe(true);
  });
});
