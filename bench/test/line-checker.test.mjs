import { describe, expect, it } from 'vitest';
import { checkNumberedLines, numberedLinesBytes } from '../lib/line-checker.mjs';

const lines = (numbers) => Buffer.from(numbers.map((n) => `line ${n}\n`).join(''));
const range = (count) => Array.from({ length: count }, (_, i) => i + 1);

describe('checkNumberedLines', () => {
  it('accepts a complete, ordered log', () => {
    expect(checkNumberedLines(lines(range(1000)), 1000)).toEqual({
      lines: 1000,
      lost: 0,
      firstLost: null,
      duplicated: 0,
      torn: 0,
      outOfOrder: 0,
    });
  });

  it('counts lost, duplicated and out-of-order lines', () => {
    const result = checkNumberedLines(lines([1, 2, 4, 4, 3, 6]), 6);
    expect(result).toMatchObject({ lines: 6, lost: 1, firstLost: 5, duplicated: 1, outOfOrder: 1, torn: 0 });
  });

  it('counts torn lines: split, glued, out of range and unterminated', () => {
    const text = 'line 1\nli\nne 2\nline 3line 4\nline 99\nline 5\nline 0\nline 6';
    const result = checkNumberedLines(Buffer.from(text), 6);
    expect(result.torn).toBe(6);
    expect(result.lost).toBe(4);
  });
});

describe('numberedLinesBytes', () => {
  it('matches the size of the generated text', () => {
    for (const count of [0, 1, 9, 10, 99, 100, 12_345]) {
      expect(numberedLinesBytes(count)).toBe(lines(range(count)).length);
    }
  });
});
