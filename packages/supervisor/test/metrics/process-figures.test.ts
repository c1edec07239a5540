import { describe, expect, it } from 'vitest';
import { countRestarts, createProcessFigures } from '../../src/metrics/process-figures.js';

describe('countRestarts', () => {
  it('counts the restarts since added: what the count grew by, and all of it after a reset lowered it', () => {
    const figures = createProcessFigures();
    // first seen with the count restored from the saved state
    expect(countRestarts(figures, 3)).toBe(3);
    expect(countRestarts(figures, 3)).toBe(3);
    expect(countRestarts(figures, 5)).toBe(5);
    // velos reset: 0, then two restarts before it is seen again
    expect(countRestarts(figures, 0)).toBe(5);
    expect(countRestarts(figures, 2)).toBe(7);
    expect(countRestarts(figures, 1)).toBe(8);
  });
});
