import { describe, expect, it } from 'vitest';
import { dependencySuggester } from '../src/dependencies/dependency-order.js';

describe('dependencySuggester (depends_on did-you-mean)', () => {
  const meant = dependencySuggester(['db', 'web', 'cache', 'api-gateway', 'worker']);

  it('names the app a typo was likely meant to be, never the depending app itself', () => {
    expect(meant('web', 'dbb')).toBe('db');
    expect(meant('web', 'ache')).toBe('cache');
    expect(meant('x', 'wrokre')).toBe('worker');
    expect(meant('x', 'api-gatewya')).toBe('api-gateway');
    expect(meant('x', 'API-Gateway')).toBe('api-gateway');
    expect(meant('web', 'zzz')).toBeNull();
    expect(meant('db', 'dbb')).toBeNull();
  });

  it('answers for every dependency of a large file without comparing each pair', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `app-${i}`);
    const suggest = dependencySuggester(names);
    expect(suggest('app-1', 'app-999x')).toBe('app-999');
    expect(names.filter((name) => suggest(name, `external-${name}`) !== null)).toEqual([]);
  });
});
