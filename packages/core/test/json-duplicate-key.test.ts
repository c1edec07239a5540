import { describe, expect, it } from 'vitest';
import { findDuplicateJsonKey } from '../src/json-duplicate-key.js';

describe('findDuplicateJsonKey', () => {
  it('finds nothing in a document whose objects write each key once', () => {
    const text = JSON.stringify({
      apps: [
        { name: 'a', env: { A: '1', B: '"quoted": "name"' }, args: ['name', 'name'] },
        { name: 'b', env: { A: '1' } },
      ],
      name: { name: 'nested' },
    });
    expect(findDuplicateJsonKey(text)).toBeNull();
  });

  it('tells the key, the path of its object and where the second one starts', () => {
    const text = '{"apps": [{"name": "a"}, {"name": "b", "env": {"A": "1", "A": "2"}}]}';
    expect(findDuplicateJsonKey(text)).toEqual({
      key: 'A',
      path: ['apps', 1, 'env'],
      offset: text.lastIndexOf('"A"'),
    });
  });

  it('reads escapes in keys and strings: "\\u0041" is "A", an escaped quote ends no string', () => {
    expect(findDuplicateJsonKey('{"A": 1, "\\u0041": 2}')).toMatchObject({ key: 'A', path: [] });
    expect(findDuplicateJsonKey('{"a\\"": 1, "a": 2}')).toBeNull();
    expect(findDuplicateJsonKey('{"x": "\\\\", "y": {"x": 1}}')).toBeNull();
  });

  it('counts array entries across nested arrays and objects', () => {
    const text = '[[1, {"a": 1}], [2], {"k": [{}, {"b": 1, "b": 2}]}]';
    expect(findDuplicateJsonKey(text)).toMatchObject({ key: 'b', path: [2, 'k', 1] });
  });

  it('scans a thousand large apps in one pass (well under a second)', () => {
    const apps = Array.from({ length: 1000 }, (_, i) => ({
      name: `app-${i}`,
      script: 'server.js',
      env: Object.fromEntries(Array.from({ length: 50 }, (_, j) => [`VAR_${j}`, `value ${j}`])),
    }));
    const text = JSON.stringify({ apps }, null, 2);
    const started = performance.now();
    expect(findDuplicateJsonKey(text)).toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
