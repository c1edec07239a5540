import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { scaledSource, withRunTimeScale } from '../../src/config/run-time-scale.js';

const FILE = '/srv/s.toml';

function spec(extra: Partial<AppSpec> = {}): AppSpec {
  return { ...APP_DEFAULTS, name: 'srv', script: 'srv.js', cwd: '/srv', env: {}, ...extra };
}

describe('scaledSource (CFG-2, SUP-5)', () => {
  it("records the file's count at the first run-time scale and keeps it over the next ones", () => {
    const first = scaledSource({ file: FILE, isWatched: true }, 3, 1);
    expect(first).toEqual({ file: FILE, isWatched: true, fileInstances: 3 });
    expect(scaledSource(first, 1, 2)).toEqual({ file: FILE, isWatched: true, fileInstances: 3 });
  });

  it("drops the record when the count goes back to the file's", () => {
    expect(scaledSource({ file: FILE, fileInstances: 3 }, 1, 3)).toEqual({ file: FILE });
  });
});

describe('withRunTimeScale (CFG-2)', () => {
  const scaled = spec({ instances: 1, source: { file: FILE, fileInstances: 3 } });

  it('keeps the run-time count while the file gives the count it replaced', () => {
    const next = withRunTimeScale(scaled, spec({ instances: 3, source: { file: FILE } }));
    expect(next.instances).toBe(1);
    expect(next.source).toEqual({ file: FILE, fileInstances: 3 });
  });

  it("takes the file's count, without the record, once the file gives another", () => {
    const next = withRunTimeScale(scaled, spec({ instances: 4, source: { file: FILE } }));
    expect(next.instances).toBe(4);
    expect(next.source).toEqual({ file: FILE });
  });

  it('gives a service scaled at run time that the file makes a job its one instance', () => {
    const old = spec({ instances: 3, source: { file: FILE, fileInstances: 1 } });
    const next = withRunTimeScale(old, spec({ instances: 1, type: 'job', source: { file: FILE } }));
    expect(next.instances).toBe(1);
    expect(next.source).toEqual({ file: FILE });
  });

  it('leaves an app never scaled at run time as the file gives it', () => {
    const old = spec({ instances: 2, source: { file: FILE } });
    const next = spec({ instances: 3, source: { file: FILE } });
    expect(withRunTimeScale(old, next)).toBe(next);
  });
});
