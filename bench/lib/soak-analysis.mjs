// Trends of a soak run: is a figure (RSS, open fds, timers) still growing once the load is steady?
import { median } from './stats.mjs';

/** Least-squares line through points `{x, y}`: `{slope, intercept, slopeError}` (slope 0 for fewer than two distinct x). */
export function linearFit(points) {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: 0, slopeError: 0 };
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - meanX) * (p.y - meanY);
    sxx += (p.x - meanX) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanX;
  let residuals = 0;
  for (const p of points) residuals += (p.y - (intercept + slope * p.x)) ** 2;
  // the standard error of the slope: how far noise alone moves it
  const slopeError = n > 2 && sxx > 0 ? Math.sqrt(residuals / (n - 2) / sxx) : 0;
  return { slope, intercept, slopeError };
}

/**
 * The trend of `key` over the second half of `samples` (each `{tMs, [key]}`): the fitted slope per
 * minute, the growth that slope makes over the whole run in % of the second half's median, and the
 * medians of the first and last quarter of that half (flat when they are close).
 */
export function secondHalfTrend(samples, key, runMs) {
  const values = samples.filter((s) => typeof s[key] === 'number');
  const start = runMs / 2;
  const half = values.filter((s) => s.tMs >= start);
  const { slope, slopeError } = linearFit(half.map((s) => ({ x: s.tMs / 60_000, y: s[key] })));
  const level = median(half.map((s) => s[key])) ?? 0;
  const quarter = Math.max(1, Math.floor(half.length / 4));
  return {
    samples: half.length,
    slopePerMin: slope,
    slopeErrorPerMin: slopeError,
    runPercent: level === 0 ? 0 : ((slope * runMs) / 60_000 / level) * 100,
    median: level,
    min: half.length ? Math.min(...half.map((s) => s[key])) : null,
    max: half.length ? Math.max(...half.map((s) => s[key])) : null,
    early: median(half.slice(0, quarter).map((s) => s[key])),
    late: median(half.slice(-quarter).map((s) => s[key])),
  };
}

/**
 * True when a count (open fds, timers) did not grow: the growth its fitted slope makes over the run
 * is within `percent` of its level, or within `slack` or twice the slope's standard error (what
 * noise alone gives a small count that goes up and down, such as the timers of restart delays).
 */
export function isFlat(trend, runMs, { percent = 5, slack = 2 } = {}) {
  const minutes = runMs / 60_000;
  const growth = trend.slopePerMin * minutes;
  const noise = 2 * (trend.slopeErrorPerMin ?? 0) * minutes;
  return growth <= Math.max(slack, (trend.median * percent) / 100, noise);
}
