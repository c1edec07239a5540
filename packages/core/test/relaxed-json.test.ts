import { describe, expect, it } from 'vitest';
import { relaxJson } from '../src/relaxed-json.js';

describe('relaxJson (PM2 JSON files)', () => {
  it('blanks comments and trailing commas, keeping offsets, lines and strings as written', () => {
    const text = '{ "a": "x\\" // y, }", // note\n  "b": [1, 2, /* two */ ], /* c\n d */ }';
    const relaxed = relaxJson(text);
    expect(relaxed).toHaveLength(text.length);
    expect(relaxed.split('\n')).toHaveLength(text.split('\n').length);
    expect(JSON.parse(relaxed)).toEqual({ a: 'x" // y, }', b: [1, 2] });
  });

  it('leaves valid JSON as it is and an error where JSON.parse finds it', () => {
    const valid = '{"apps": [{"script": "a.js", "args": ["//", "/*", ","]}]}';
    expect(relaxJson(valid)).toBe(valid);
    expect(() => JSON.parse(relaxJson('{"a": 1 // one\n "b": 2}'))).toThrow(/at position 16/);
  });
});
