import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  deleteApps,
  FIXTURES,
  onlineRows,
  outLog,
  sharedHome,
  velos,
  waitFor,
  waitForStatus,
} from './helpers.js';
import { specOf, warningsOf } from './pm2-helpers.js';

afterEach(cleanupHomes);

// One daemon for the tests: each writes its project into a directory of its own, names its app as no
// other test does (its log file is its own) and deletes it at its end, so that each finds the list empty.
const shared = sharedHome();
beforeEach(() => clearApps(shared()));

/**
 * A project (`home/<into>`) with a Python worker whose file has no extension (nothing says to run it
 * with python3), and an ecosystem.config.js of `apps`.
 */
function project(home: string, into: string, apps: string): string {
  const dir = join(home, into);
  mkdirSync(dir);
  cpSync(join(FIXTURES, 'app.py'), join(dir, 'worker'));
  chmodSync(join(dir, 'worker'), 0o644);
  writeFileSync(join(dir, 'ecosystem.config.js'), `module.exports = { apps: ${apps} };\n`);
  return dir;
}

// PM2's schema names `exec_interpreter` an alias of `interpreter` (and `pm2 prettylist` prints it)
describe('exec_interpreter in a PM2 process file', () => {
  it('is the interpreter, as in PM2, not an ignored option', async () => {
    const home = shared();
    const dir = project(
      home,
      'exec-interpreter',
      "[{ name: 'py', script: 'worker', exec_interpreter: 'python3' }]",
    );
    const result = await velos(['start', 'ecosystem.config.js'], { home, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([]);
    await waitForStatus(home, 'py', 'online');
    await waitFor(
      () => existsSync(outLog(home, 'py')) && readFileSync(outLog(home, 'py'), 'utf8').includes('tick 1'),
      { message: 'the python worker to tick' },
    );
    await deleteApps(home, ['py']);
  });

  it('gives way to interpreter when a file sets both', async () => {
    const home = shared();
    const dir = project(
      home,
      'both-interpreters',
      "[{ name: 'py', script: 'worker', interpreter: 'python3', exec_interpreter: 'node' }]",
    );
    const result = await velos(['start', 'ecosystem.config.js', '--dry-run'], { home, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const [app] = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(app!.interpreter).toBe('python3');
  });
});

// PM2's `execute_command: true` is the file form of `-x`; its other schema keys without an equivalent are named as such
describe('execute_command and the other keys of PM2 schema', () => {
  it('execute_command: true runs the instances in fork mode; watch_options and the like are PM2 options, not typos', async () => {
    const home = shared();
    const ticker = JSON.stringify(join(FIXTURES, 'ticker.js'));
    const dir = project(
      home,
      'execute-command',
      `[{ name: 'x', script: ${ticker}, instances: 2, exec_mode: 'cluster', execute_command: true, watch_options: { usePolling: true }, write: true }]`,
    );
    const result = await velos(['start', 'ecosystem.config.js'], { home, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([
      'ecosystem.config.js: PM2 options with no Velos equivalent, ignored: watch_options, write',
    ]);
    await onlineRows(home, 'x', 2);
    expect((await specOf(home, 'x')).execMode).toBe('fork');
    await deleteApps(home, ['x']);
  });
});

// PM2's schema: `exec` is an alias of `script`
describe('exec in a PM2 process file', () => {
  it('is the script when the app names none', async () => {
    const home = shared();
    const dir = project(home, 'exec', "[{ name: 'py-exec', exec: 'worker', interpreter: 'python3' }]");
    const result = await velos(['start', 'ecosystem.config.js'], { home, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([]);
    await waitForStatus(home, 'py-exec', 'online');
    expect((await specOf(home, 'py-exec')).script).toBe('worker');
    await waitFor(
      () =>
        existsSync(outLog(home, 'py-exec')) &&
        readFileSync(outLog(home, 'py-exec'), 'utf8').includes('tick 1'),
      { message: 'the python worker to tick' },
    );
    await deleteApps(home, ['py-exec']);
  });
});
