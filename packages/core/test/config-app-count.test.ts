import { describe, expect, it } from 'vitest';
import { countAppEntries } from '../src/config-app-count.js';

describe('countAppEntries (the app entries of a file before it is parsed)', () => {
  it("counts TOML's [[apps]] headers, however spaced, and says the first one's line", () => {
    const text =
      '# apps\n[defaults]\nenv = { A = "1" }\n\n[[apps]]\nscript = "a.js"\n[apps.env]\nB = "2"\n  [[ apps ]]\nscript = "b.js"\n[["apps"]]\nscript = "c.js"\n';
    expect(countAppEntries(text, '.toml')).toEqual({ key: 'apps', count: 3, line: 5 });
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
    expect(countAppEntries('apps: &list [{script: a}, {script: b}]\n', '.yaml')).toBeNull();
    expect(countAppEntries('---\n- script: a\n', '.yaml')).toBeNull();
    expect(countAppEntries('{"apps": []}', '.json')).toBeNull();
    expect(countAppEntries('[[apps]]\nscript = "a"\n', '.conf')).toBeNull();
  });

  it("counts TOML's root apps array, not an apps key of a table or a bracket in a string or comment", () => {
    const text = [
      'title = "apps = [ {}, {} ]" # apps = [{}]',
      "literal = 'a [ { '",
      'multi = """',
      ' ] } [ "" ',
      'apps = [{}, {}] """',
      '"apps" = [',
      '  { name = "a]", script = "x}.js", env = { A = "{[" } }, # ], {',
      "  { name = 'b,c', script = '''y.js''' },",
      '  { name = "c", args = ["[", "]"] },',
      ']',
      '[table]',
      'apps = [{}, {}, {}, {}]',
    ].join('\n');
    expect(countAppEntries(text, '.toml')).toEqual({ key: 'apps', count: 3, line: 7 });
    expect(countAppEntries('apps = [{ script = "a.js" }]\n', '.toml')).toEqual({
      key: 'apps',
      count: 1,
      line: 1,
    });
    expect(countAppEntries('[defaults]\napps = [{}, {}]\n', '.toml')).toBeNull();
    expect(countAppEntries('apps.x = [{}, {}]\n', '.toml')).toBeNull();
    expect(countAppEntries("processes = [{ command = 'a' },]\n", '.toml')).toMatchObject({
      key: 'processes',
      count: 1,
    });
  });

  it('counts YAML flow lists: on the key line, below it, a flow document, quoted keys', () => {
    const text = [
      'x-note: "apps: [a, b]"',
      'apps: [ # the apps ], {',
      "  {name: \"a]}\", script: 'it''s [x].js'},",
      "  {name: it's, script: b#c, args: [\"a,b\", '{']},",
      '  {? name : c, script: http://h:1/x},',
      ']',
    ].join('\n');
    expect(countAppEntries(text, '.yaml')).toEqual({ key: 'apps', count: 3, line: 3 });
    expect(countAppEntries('apps: [{script: a}, {script: b}]\n', '.yaml')).toMatchObject({
      count: 2,
      line: 1,
    });
    expect(countAppEntries('apps:\n  # a comment [\n  [{script: a}, {script: b},]\n', '.yml')).toMatchObject({
      count: 2,
      line: 3,
    });
    expect(countAppEntries('{"apps": [{"script": "a"}], "x": "apps: [1, 2]"}\n', '.yaml')).toMatchObject({
      count: 1,
    });
    expect(countAppEntries("{defaults: {apps: [1, 2]}, 'apps': [{script: a}]}", '.yaml')).toMatchObject({
      count: 1,
    });
    expect(countAppEntries('[{script: a}, &b {script: "b"}, *b]\n', '.yaml')).toMatchObject({ count: 3 });
  });

  it('counts JSON lists, bare or under a top-level key, with PM2 comments and trailing commas', () => {
    const text = [
      '{',
      '  "defaults": { "apps": [{}, {}, {}, {}] },',
      '  "note": "\\"apps\\": [{}, {}]",',
      '  // "apps": [{}, {}, {}]',
      '  "\\u0061pps": [',
      '    { "name": "a]},{", "script": "x.js" }, /* ] { */',
      '    { "name": "b", "args": ["[", "{"] },',
      '  ],',
      '}',
    ].join('\n');
    expect(countAppEntries(text, '.json')).toEqual({ key: 'apps', count: 2, line: 6 });
    expect(countAppEntries('[{"script": "a"}, {"script": "b"}]', '.json')).toEqual({
      key: 'apps',
      count: 2,
      line: 1,
    });
    // a string left open is not counted (the parse reports it)
    expect(countAppEntries('{"apps": [{"script": "a}, {}]}', '.json')).toBeNull();
  });

  it('reads pathological files in one pass: a million tags, comments on one line', () => {
    // a tag before a node is passed over in a loop, not by recursion (a deep stack overflowed)
    const tags = `apps: [${'!t '.repeat(1_000_000)}{script: a}]\n`;
    expect(countAppEntries(tags, '.yaml')).toMatchObject({ count: 1 });
    // a comment's end is found without looking back over the line (quadratic on one long line)
    const comments = `{"apps": [${'{"script": "a"}, /* c */ '.repeat(200_000)}]}`;
    const started = performance.now();
    expect(countAppEntries(comments, '.json')).toMatchObject({ count: 200_000 });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
