import { describe, expect, it } from 'vitest';
import { linesBefore } from '../../src/monit/older-logs.js';
import { logLine } from './fake-control.js';

const lines = (...texts: string[]) => texts.map((text) => logLine(0, text));
const texts = (found: ReturnType<typeof linesBefore>) => found?.map((line) => line.line) ?? null;

describe('linesBefore', () => {
  it('gives the lines of the answer before the held ones, newer lines after them aside', () => {
    expect(texts(linesBefore(lines('c', 'd'), lines('a', 'b', 'c', 'd', 'e')))).toEqual(['a', 'b']);
    expect(texts(linesBefore(lines('a', 'b'), lines('a', 'b', 'c')))).toEqual([]);
  });

  it('takes a repeated block where the held lines should be, at the answer end', () => {
    const answer = lines('x', 'y', 'x', 'y', 'x', 'y');
    expect(texts(linesBefore(lines('x', 'y', 'x', 'y'), answer))).toEqual(['x', 'y']);
  });

  it('matches on the lines before a skip marker, and says null when the held lines are not in the answer', () => {
    const held = [...lines('c'), logLine(0, '… 9 lines skipped', { skipped: 9 }), ...lines('z')];
    expect(texts(linesBefore(held, lines('a', 'b', 'c', 'y', 'z')))).toEqual(['a', 'b']);
    expect(linesBefore(lines('q'), lines('a', 'b'))).toBeNull();
    expect(linesBefore([], lines('a'))).toBeNull();
    expect(linesBefore(lines('a'), [logLine(1, 'a')])).toBeNull();
  });
});
