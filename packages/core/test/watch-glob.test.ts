import { describe, expect, it } from 'vitest';
import { watchGlobBase } from '../src/watch-glob.js';

describe('watchGlobBase', () => {
  it('is the directory before the first segment with glob syntax', () => {
    expect(watchGlobBase('/srv/api/src/**/*.js')).toBe('/srv/api/src');
    expect(watchGlobBase('/srv/api/*.js')).toBe('/srv/api');
    expect(watchGlobBase('/srv/api/config/*.{json,yaml}')).toBe('/srv/api/config');
    expect(watchGlobBase('/srv/api/lib/?.js')).toBe('/srv/api/lib');
    expect(watchGlobBase('/srv/api/[ab]/x.js')).toBe('/srv/api');
    expect(watchGlobBase('/*.js')).toBe('/');
  });

  it('is null for a path without glob syntax', () => {
    expect(watchGlobBase('/srv/api/src')).toBeNull();
    expect(watchGlobBase('/srv/api/server.js')).toBeNull();
  });
});
