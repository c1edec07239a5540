import { describe, expect, it } from 'vitest';
import { scaledCount } from '../../src/cluster/scale-count.js';

describe('scaledCount', () => {
  it('reads N, +N and -N against the current count', () => {
    expect(scaledCount('api', 2, '3')).toBe(3);
    expect(scaledCount('api', 2, '+1')).toBe(3);
    expect(scaledCount('api', 2, '-1')).toBe(1);
  });

  it('refuses a count out of range or not a number, naming the field instances (REST, MCP)', () => {
    for (const request of ['-3', '2000', 'lots']) {
      expect(() => scaledCount('api', 2, request), request).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', data: { field: 'instances' } }),
      );
    }
  });
});
