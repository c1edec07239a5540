import { APP_DEFAULTS, type AppSpec, inheritedPartOf } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { diffSpecs } from '../../src/config/spec-diff.js';

function spec(name: string, extra: Partial<AppSpec> = {}): AppSpec {
  return { ...APP_DEFAULTS, name, script: `${name}.js`, cwd: '/srv', env: {}, ...extra };
}

describe('diffSpecs (CFG-2)', () => {
  it('sorts apps into added, removed, changed and unchanged, ignoring the file link and key order', () => {
    const current = [spec('keep', { env: { A: '1', B: '2' } }), spec('change'), spec('drop')];
    const next = [
      spec('keep', { env: { B: '2', A: '1' }, source: { file: '/srv/app.toml', isWatched: true } }),
      spec('change', { maxRestarts: 3 }),
      spec('add'),
    ];
    const diff = diffSpecs(current, next);
    expect(diff.added.map((s) => s.name)).toEqual(['add']);
    expect(diff.removed.map((s) => s.name)).toEqual(['drop']);
    expect(diff.changed.map((c) => [c.before.maxRestarts, c.after.maxRestarts])).toEqual([[16, 3]]);
    expect(diff.unchanged.map((s) => s.name)).toEqual(['keep']);
  });

  it('takes the inherited environment without the app own variables', () => {
    expect(inheritedPartOf(spec('a', { env: { PATH: '/bin', MODE: 'x' }, ownEnv: { MODE: 'x' } }))).toEqual({
      PATH: '/bin',
    });
  });
});
