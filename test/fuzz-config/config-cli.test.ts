import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, listJson, velos, velosOk, waitFor } from '../e2e/helpers.js';

// A sample of the fuzzed kinds through the real CLI and daemon: each bad file exits non-zero with one
// line naming the file, the key and the line, and the app already running is not touched.
const BAD: [string, string, RegExp][] = [
  [
    'bad.toml',
    '[[apps]]\nname = "x"\nscript = "x.js"\ninstances = "lots"\n',
    /^velos: bad\.toml: apps\[0\]\.instances: .*\(line 4\)$/,
  ],
  [
    'cron.toml',
    '[[apps]]\nname = "x"\nscript = "x.js"\ncron_restart = "nope"\n',
    /^velos: cron\.toml: apps\[0\] \(x\)\.cron_restart: .*\(line 4\)$/,
  ],
  [
    'cut.yaml',
    'apps:\n  - name: x\n    script: "x.js\n',
    /^velos: cut\.yaml: not valid YAML: Missing closing .*line 4, column 1$/,
  ],
  [
    'dup.json',
    '{"apps": [\n {"name": "x", "script": "a.js"},\n {"name": "x", "script": "b.js"}\n]}\n',
    /^velos: dup\.json: apps\[1\]\.name: expected a unique name.*\(line 3\)$/,
  ],
  [
    'syntax.json',
    '{"apps": [\n {"name": "x", "script": "a.js",}\n]}\n',
    /^velos: syntax\.json: not valid JSON: .*\(line 2\)$/,
  ],
  [
    'deep.json',
    `{"apps": ${'['.repeat(5000)}`,
    /^velos: deep\.json: not valid JSON: nested deeper than 64 levels \(line 1\)$/,
  ],
  [
    'dog.yaml',
    'apps:\n  - name: x\n    script: x.js\n    watchdog:\n      timeout: 0\n',
    /^velos: dog\.yaml: apps\[0\]\.watchdog\.timeout: .*\(line 5\)$/,
  ],
  [
    'ecosystem.config.js',
    "module.exports = {\n  apps: [\n    { name: 'x', script: 'x.js', instances: 99999 },\n  ],\n};\n",
    /^velos: ecosystem\.config\.js: apps\[0\] \(x\)\.instances: expected at most 1024 instances.*\(line 3\)$/,
  ],
];

describe('bad configs through the real CLI and daemon', () => {
  let home = '';
  beforeAll(async () => {
    home = createHome();
    await velosOk(['start', join(FIXTURES, 'server.js'), '--name', 'keep'], { home });
    await waitFor(async () => (await listJson(home)).find((row) => row.status === 'online' && row.pid));
  });
  afterAll(async () => {
    await velos(['kill'], { home });
    await cleanupHomes();
  });

  it.each(BAD)('%s', async (name, text, message) => {
    const before = (await listJson(home)).map((row) => [row.name, row.pid, row.restarts]);
    writeFileSync(join(home, name), text);
    const result = await velos(['start', join(home, name)], { home, cwd: home });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect((await listJson(home)).map((row) => [row.name, row.pid, row.restarts])).toEqual(before);
  });
});
