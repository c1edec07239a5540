import { describe, expect, it } from 'vitest';
import { createNarrowSegmenter, isNarrow, narrowWidth } from '../../src/monit/narrow-width.js';
import { importFromInk } from './ink-modules.js';

type StringWidth = { default: (text: string) => number };

/** Every UTF-16 code unit narrowWidth answers for itself. */
const NARROW_UNITS = Array.from({ length: 0x10000 }, (_, code) => code).filter(isNarrow);

describe('narrowWidth (in front of string-width in the monit bundle)', () => {
  it('gives string-width 8 and 7 (both in ink) the same width for every character it answers', async () => {
    const widths = [
      (await importFromInk<StringWidth>('string-width')).default,
      (await importFromInk<StringWidth>('string-width', 'cli-truncate')).default,
    ];
    expect(NARROW_UNITS.length).toBeGreaterThan(300);
    for (const code of NARROW_UNITS) {
      const char = String.fromCharCode(code);
      for (const stringWidth of widths) expect([code, stringWidth(char)]).toEqual([code, 1]);
    }
    const line = '▸   0 api      online  ↺ 0 · cpu ▁▂▃▄▅▆▇█░ 25% ×2 … ≤ 5 — “quoted” ½ é';
    for (const stringWidth of widths) expect(narrowWidth(line)).toBe(stringWidth(line));
  });

  it('leaves to string-width what it cannot answer: emoji, CJK, marks, controls', () => {
    for (const text of ['日本', '🙂', 'e\u0301', 'a\tb', '\u00ad', '©', '↔', '\u200d', '\u001b[31m']) {
      expect(narrowWidth(text)).toBe(-1);
    }
    expect(narrowWidth('')).toBe(0);
  });
});

describe('createNarrowSegmenter (ink ANSI tokenizers)', () => {
  const intl = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const segments = (iterable: Iterable<{ segment: string; index: number }>) =>
    [...iterable].map(({ segment, index }) => [segment, index]);

  it('splits text of narrow characters and ANSI codes as Intl.Segmenter does, without making one', () => {
    let made = 0;
    const segmenter = createNarrowSegmenter(() => {
      made += 1;
      return intl;
    });
    for (const text of [
      '',
      'plain',
      '\u001b[31m▸ red\u001b[39m ─── █░',
      NARROW_UNITS.map((c) => String.fromCharCode(c)).join(''),
    ]) {
      const mine = segmenter.segment(text);
      expect(segments(mine)).toEqual(segments(intl.segment(text)));
      for (const index of [0, 1, text.length - 1, text.length, -1]) {
        const a = mine.containing(index);
        const b = intl.segment(text).containing(index);
        expect(a && [a.segment, a.index, a.input]).toEqual(b && [b.segment, b.index, b.input]);
      }
    }
    expect(made).toBe(0);
  });

  it('hands anything else to the Intl.Segmenter it makes once', () => {
    let made = 0;
    const segmenter = createNarrowSegmenter(() => {
      made += 1;
      return intl;
    });
    for (const text of ['👩‍👩‍👧 family', 'e\u0301 and 日本', 'a\r\nb']) {
      expect(segments(segmenter.segment(text))).toEqual(segments(intl.segment(text)));
    }
    expect(made).toBe(1);
  });
});
