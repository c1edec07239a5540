import { describe, expect, it } from 'vitest';
import { fitEstimates } from '../../src/log-insights/fit-estimates.js';

describe('fitEstimates', () => {
  it('scales estimates to the room left, summing to it exactly, in proportion', () => {
    const fitted = fitEstimates({ warn: 9825, info: 189_610, debug: 0 }, 199_789);
    expect(fitted.warn + fitted.info + fitted.debug).toBe(199_789);
    expect(fitted.debug).toBe(0);
    expect(fitted.warn).toBe(9842);
    expect(fitted.info).toBe(189_947);
  });

  it('gives the rounding leftovers to the largest remainders', () => {
    expect(fitEstimates({ a: 1, b: 1, c: 1 }, 10)).toEqual({ a: 4, b: 3, c: 3 });
  });

  it('is all zeros with nothing to scale or no room', () => {
    expect(fitEstimates({ a: 0, b: 0 }, 10)).toEqual({ a: 0, b: 0 });
    expect(fitEstimates({ a: 5 }, 0)).toEqual({ a: 0 });
  });
});
