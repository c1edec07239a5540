import type { HistogramData } from '@velos/core';

/** A fixed-bucket histogram: one number per bucket, nothing allocated per observation. */
export interface Histogram {
  observe(value: number): void;
  /** The sum of the observations so far. */
  sum(): number;
  /** The counts as `HistogramData` (cumulative, the last bound `Infinity`). */
  toData(): HistogramData;
}

/** Creates a histogram over ascending finite upper `bounds` (the `+Inf` bucket is added). */
export function createHistogram(bounds: readonly number[]): Histogram {
  const counts = new Float64Array(bounds.length + 1);
  let sum = 0;
  let count = 0;
  return {
    observe(value) {
      let i = 0;
      while (i < bounds.length && value > bounds[i]!) i += 1;
      counts[i]! += 1;
      sum += value;
      count += 1;
    },
    sum: () => sum,
    toData() {
      const cumulative: number[] = [];
      let running = 0;
      for (const n of counts) {
        running += n;
        cumulative.push(running);
      }
      return { bounds: [...bounds, Number.POSITIVE_INFINITY], counts: cumulative, sum, count };
    },
  };
}
