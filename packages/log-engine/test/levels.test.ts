import { describe, expect, it } from 'vitest';
import { isAtLeast, LEVELS, levelSeverity, parseLevel } from '../src/levels.js';

describe('levels', () => {
  it('orders levels from most to least severe', () => {
    expect(LEVELS).toEqual(['fatal', 'error', 'warn', 'info', 'debug']);
    expect(LEVELS.map(levelSeverity)).toEqual([4, 3, 2, 1, 0]);
    expect(isAtLeast('fatal', 'error')).toBe(true);
    expect(isAtLeast('warn', 'error')).toBe(false);
    expect(isAtLeast('error', 'error')).toBe(true);
  });

  it('reads level names in any case, and their usual aliases', () => {
    expect(parseLevel('ERROR')).toBe('error');
    expect(parseLevel('Warning')).toBe('warn');
    expect(parseLevel('crit')).toBe('fatal');
    expect(parseLevel('trace')).toBe('debug');
    expect(parseLevel('notice')).toBe('info');
    expect(parseLevel('E')).toBe('error');
    expect(parseLevel('preauth')).toBeUndefined();
    expect(parseLevel('')).toBeUndefined();
  });

  it('reads pino and bunyan numeric levels', () => {
    expect(parseLevel(10)).toBe('debug');
    expect(parseLevel(20)).toBe('debug');
    expect(parseLevel(30)).toBe('info');
    expect(parseLevel(40)).toBe('warn');
    expect(parseLevel(50)).toBe('error');
    expect(parseLevel(60)).toBe('fatal');
    expect(parseLevel(5)).toBeUndefined();
    expect(parseLevel(Number.NaN)).toBeUndefined();
  });
});
