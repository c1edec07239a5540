import { describe, expect, it } from 'vitest';
import { alertNameClash } from '../src/alert-name-clash.js';

describe('alertNameClash', () => {
  const existing = [
    { name: 'esc', source: 'runtime' },
    { name: 'mine', source: '/srv/app.toml' },
  ];

  it('names the rule and the source that has it already', () => {
    const clash = alertNameClash('/srv/app.toml', [{ name: 'mine' }, { name: 'esc' }], existing);
    expect(clash?.code).toBe('NAME_IN_USE');
    expect(clash?.message).toBe(
      "/srv/app.toml: alert rule 'esc' exists already (from runtime); rename one of them",
    );
  });

  it('lets a source replace its own rules, and refuses a name twice in its list', () => {
    expect(alertNameClash('/srv/app.toml', [{ name: 'mine' }, { name: 'new' }], existing)).toBeNull();
    expect(alertNameClash('/a.toml', [{ name: 'x' }, { name: 'x' }], [])?.message).toBe(
      "/a.toml: alert rule 'x' exists already (from /a.toml); rename one of them",
    );
  });
});
