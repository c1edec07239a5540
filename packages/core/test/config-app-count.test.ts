import { describe, expect, it } from 'vitest';
import { countAppEntries } from '../src/config-app-count.js';

describe('countAppEntries (the app entries of a file before it is parsed)', () => {
  it("counts TOML's [[apps]] headers, however spaced, and says the first one's line", () => {
    const text =
      '# apps\n[defaults]\nenv = { A = "1" }\n\n[[apps]]\nscript = "a.js"\n[apps.env]\nB = "2"\n  [[ apps ]]\nscript = "b.js"\n[["apps"]]\nscript = "c.js"\n';
    expect(countAppEntries(text, '.toml')).toEqual({ key: 'apps', count: 3, line: 5 });
    expect(countAppEntries('apps = [{ script = "a.js" }]\n', '.toml')).toBeNull();
  });

  it("counts the items of YAML's top-level apps list, not their own lists or block text", () => {
    const text = [
      'x-common: &common',
      '  env: { A: "1" }',
      'apps:',
      '  # the api',
      '  - name: api',
      '    args:',
      '      - --port',
      '      - "80"',
      '    note: |',
      '      - not an app',
      '',
      '  - <<: *common',
      '    script: b.js',
      '  -',
      '    script: c.js',
      'alerts:',
      '  - name: late',
    ].join('\n');
    expect(countAppEntries(text, '.yaml')).toEqual({ key: 'apps', count: 3, line: 5 });
  });

  it('counts a list written at the column of its key, a bare top-level list and the processes form', () => {
    expect(countAppEntries('apps:\n- script: a\n- script: b\nalerts: []\n', '.yml')).toMatchObject({
      count: 2,
    });
    expect(countAppEntries('- script: a\n  name: x\n- script: b\n', '.yaml')).toEqual({
      key: 'apps',
      count: 2,
      line: 1,
    });
    expect(countAppEntries('processes:\n  - command: a\n', '.yaml')).toMatchObject({
      key: 'processes',
      count: 1,
    });
  });

  it('counts nothing in forms it does not read, nor in other formats', () => {
    expect(countAppEntries('apps: [{script: a}, {script: b}]\n', '.yaml')).toBeNull();
    expect(countAppEntries('apps:\n  [{script: a}]\n', '.yaml')).toBeNull();
    expect(countAppEntries('---\n- script: a\n', '.yaml')).toBeNull();
    expect(countAppEntries('{"apps": []}', '.json')).toBeNull();
  });
});
