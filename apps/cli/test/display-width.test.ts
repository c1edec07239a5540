import { describe, expect, it } from 'vitest';
import { displayWidth, fitToWidth } from '../src/output/display-width.js';
import { importFromInk } from './monit/ink-modules.js';

type StringWidth = { default: (text: string) => number };

// app names of several scripts, and characters at the edges of the wide ranges (not Indic conjuncts:
// string-width counts a grapheme cluster as its first character, terminals disagree among themselves)
const SAMPLES = [
  'api',
  'заказы-api',
  '注文',
  'Ölpreis',
  'cafe\u0301-api',
  'ご注文-ワーカー',
  '주문',
  'ＡＰＩ',
  '𠮷野家',
  'ｱｲｳ', // halfwidth katakana: narrow
  '〿', // U+303F: narrow, after the wide CJK symbols
  'a\u200db',
  'ײַ',
];

describe('displayWidth (the tables pad app names by it)', () => {
  it('agrees with string-width (ink) on app names of many scripts', async () => {
    const stringWidth = (await importFromInk<StringWidth>('string-width')).default;
    for (const text of SAMPLES) expect([text, displayWidth(text)]).toEqual([text, stringWidth(text)]);
    expect(displayWidth('注文')).toBe(4);
    expect(displayWidth('cafe\u0301')).toBe(4);
  });

  it('cuts and pads to columns, never splitting a wide character', () => {
    expect(fitToWidth('注文注文', 5)).toBe('注文…');
    expect(fitToWidth('注文注文', 6)).toBe('注文… ');
    expect(fitToWidth('注文', 6, 'right')).toBe('  注文');
    expect(fitToWidth('заказы-api', 6)).toBe('заказ…');
    expect(fitToWidth('abcdef', 4)).toBe('abc…');
    expect(fitToWidth('x', 0)).toBe('');
  });
});
