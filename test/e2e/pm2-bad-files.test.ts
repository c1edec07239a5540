import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  deleteApps,
  describeState,
  listState,
  sharedHome,
  waitForStatus,
} from './helpers.js';
import { copyCorpus, velosIn } from './pm2-helpers.js';

afterEach(cleanupHomes);

// Issue #14: a process file that throws, exports nothing or has wrong types is one clear error line
// naming the file, the app and the key; nothing already running is touched.
// One daemon for both tests: each runs its 'bare' from a copy of the corpus of its own and deletes it at
// its end; the state each command left is read over the daemon's socket (the CLI's output under test is
// that of the refused starts).
describe('bad PM2 process files', () => {
  const shared = sharedHome();
  beforeEach(() => clearApps(shared()));

  it('fail with the file, the app and the key, and leave running apps alone', async () => {
    const home = shared();
    const project = copyCorpus(home, 'project-bad');
    expect((await velosIn(join(project, 'bare'), home, ['start', 'pm2.json'])).code).toBe(0);
    const before = await waitForStatus(home, 'bare', 'online');

    const cases: [string, string, RegExp][] = [
      [
        'bad-throws',
        'ecosystem.config.cjs',
        /^velos: ecosystem\.config\.cjs: the file threw while loading: DB_URL is not set$/,
      ],
      [
        'bad-empty',
        'ecosystem.config.cjs',
        /^velos: ecosystem\.config\.cjs: exports no apps: expected an "apps" list or an app with a "script", got keys none$/,
      ],
      [
        'bad-esm-nothing',
        'ecosystem.config.mjs',
        /^velos: ecosystem\.config\.mjs: exports no apps \(expected module\.exports = \{ apps: \[\.\.\.\] \} or export default \{ apps: \[\.\.\.\] \}\), got nothing$/,
      ],
      [
        'bad-function',
        'ecosystem.config.cjs',
        /^velos: ecosystem\.config\.cjs: exports no apps \(expected module\.exports = \{ apps: \[\.\.\.\] \} or export default \{ apps: \[\.\.\.\] \}\), got a function \(the exported value is read as it is, never called\)$/,
      ],
      [
        'bad-types',
        'ecosystem.json',
        /^velos: ecosystem\.json: apps\[1\] \(broken\)\.instances: expected a whole number, "max", 0 \(one per CPU\) or -n \(CPUs minus n\), got "many" \(line 4\)$/,
      ],
      [
        'bad-yaml-types',
        'process.yml',
        /^velos: process\.yml: apps\[0\] \(flaky\)\.autorestart: .*"sometimes".*\(line 4\)$/,
      ],
      [
        'bad-syntax',
        'ecosystem.config.cjs',
        /^velos: ecosystem\.config\.cjs: not valid JavaScript: .* \(line 3\)$/,
      ],
      [
        'bad-syntax-esm',
        'ecosystem.config.mjs',
        /^velos: ecosystem\.config\.mjs: not valid JavaScript: .* \(line 3\)$/,
      ],
      [
        'esm-scope',
        'ecosystem.config.js',
        /^velos: ecosystem\.config\.js: uses module\.exports but is loaded as an ES module .*rename it to ecosystem\.config\.cjs$/,
      ],
    ];
    for (const [dir, file, message] of cases) {
      const result = await velosIn(join(project, dir), home, ['start', file]);
      expect(result.code, `${dir}/${file}`).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, `${dir}/${file}`).toHaveLength(1);
      expect(lines[0], `${dir}/${file}`).toMatch(message);
    }
    const missing = await velosIn(project, home, ['start', 'ecosystem.config.js']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^velos: process file not found: \/\S+\/ecosystem\.config\.js$/);

    const rows = await listState(home);
    expect(rows.map((row) => [row.name, row.status, row.pid, row.restarts])).toEqual([
      ['bare', 'online', before.pid, 0],
    ]);
    await deleteApps(home, ['bare']);
  });

  it('a missing script is refused before anything changes; a spec the daemon refuses leaves the app as it was', async () => {
    const home = shared();
    const dir = join(copyCorpus(home, 'project-missing'), 'bare');
    expect((await velosIn(dir, home, ['start', 'pm2.json'])).code).toBe(0);
    const before = await waitForStatus(home, 'bare', 'online');
    writeFileSync(join(dir, 'pm2.json'), JSON.stringify({ name: 'bare', script: '../apps/missing.js' }));
    const missing = await velosIn(dir, home, ['start', 'pm2.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `velos: pm2.json: bare cannot start: script not found: ${resolve(dir, '../apps/missing.js')}\n`,
    );
    // every missing script in the one line, and the good app of the file is not started either
    writeFileSync(
      join(dir, 'pm2.json'),
      JSON.stringify({
        apps: [
          { name: 'gone', script: '../apps/gone.js' },
          { name: 'good', script: '../apps/server.js' },
          { name: 'bare', script: '../apps/missing.js' },
        ],
      }),
    );
    const two = await velosIn(dir, home, ['start', 'pm2.json']);
    expect([two.code, two.stderr]).toEqual([
      1,
      `velos: pm2.json: 2 apps cannot start: gone: script not found: ${resolve(dir, '../apps/gone.js')}; bare: script not found: ${resolve(dir, '../apps/missing.js')}\n`,
    ]);
    expect((await listState(home)).map((row) => [row.status, row.pid, row.restarts])).toEqual([
      ['online', before.pid, 0],
    ]);

    // refused by the daemon (increment_var needs a number) before the running app is touched: it runs on,
    // the same process with its previous spec
    const refused = {
      name: 'bare',
      script: '../apps/server.js',
      increment_var: 'PORT',
      env: { PORT: 'http' },
    };
    writeFileSync(join(dir, 'pm2.json'), JSON.stringify(refused));
    const result = await velosIn(dir, home, ['start', 'pm2.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bare: increment_var PORT: expected PORT');
    expect((await listState(home)).map((row) => [row.status, row.pid, row.restarts])).toEqual([
      ['online', before.pid, 0],
    ]);
    const [detail] = await describeState(home, 'bare');
    expect(detail!.spec.incrementVar).toBeUndefined();
    await deleteApps(home, ['bare']);
  });
});
