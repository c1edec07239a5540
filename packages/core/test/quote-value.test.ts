import { describe, expect, it } from 'vitest';
import { MAX_QUOTED_CHARS, quoteValue } from '../src/quote-value.js';

/** What the quote was when it was JSON.stringify's whole text, cut. */
function stringified(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}

describe('quoteValue', () => {
  it("quotes as JSON.stringify's text, cut at MAX_QUOTED_CHARS", () => {
    const values: unknown[] = [
      'short',
      'x'.repeat(200),
      'quote " and \\ and \n',
      `${'é'.repeat(79)}"\n`,
      42,
      -0.5,
      [Number.NaN, Number.POSITIVE_INFINITY],
      true,
      null,
      [],
      {},
      [1, 'two', null, undefined, () => 1, { three: 3 }],
      { a: 1, skipped: undefined, fn: () => 1, b: [true, false], c: { d: 'e' } },
      { z: 'y'.repeat(100) },
      Array.from({ length: 100 }, (_, i) => i),
      Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, { nested: [i] }])),
      new Date(0),
      { when: new Date(0) },
      new Map([[1, 2]]),
    ];
    for (const value of values) expect(quoteValue(value), JSON.stringify(value)).toBe(stringified(value));
  });

  it('quotes what JSON.stringify cannot: BigInts, cycles, undefined and functions', () => {
    expect(quoteValue(12n)).toBe('12');
    expect(quoteValue({ n: 12n })).toBe('{"n":"12"}');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(quoteValue(cycle)).toBe('{…}');
    const list: unknown[] = [];
    list.push(list);
    expect(quoteValue(list)).toBe('[…]');
    expect(quoteValue(undefined)).toBe('undefined');
    // JSON's 1e400 is Infinity: quoted as the number it is, not as JSON's null
    expect(quoteValue(JSON.parse('1e400'))).toBe('Infinity');
    expect(quoteValue(-Infinity)).toBe('-Infinity');
    expect(quoteValue(Number.NaN)).toBe('NaN');
    // the same object twice, not in a cycle, is quoted twice as JSON.stringify does
    const shared = { s: 1 };
    expect(quoteValue([shared, shared])).toBe('[{"s":1},{"s":1}]');
  });

  it("quotes a regular expression as its source, not as JSON's {} (PM2's ignore_watch: [/tmp$/] in a JS file)", () => {
    expect(quoteValue(/tmp$/)).toBe('/tmp$/');
    expect(quoteValue(/\.git/i)).toBe('/\\.git/i');
  });

  it('reads only the part of a huge value it quotes', () => {
    let reads = 0;
    const counted = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(object, key, receiver) {
          reads += 1;
          return Reflect.get(object, key, receiver);
        },
      });
    const entries = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'v'.repeat(20)]));
    expect(quoteValue(counted(entries))).toBe(stringified(entries));
    // toJSON, then one read per entry quoted: a few of the 20 000
    expect(reads).toBeLessThan(20);
    reads = 0;
    const items = Array.from({ length: 100_000 }, (_, i) => i);
    expect(quoteValue(counted(items))).toBe(stringified(items));
    expect(reads).toBeLessThan(100);
  });
});
