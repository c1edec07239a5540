import { chmodSync, chownSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  isAlive,
  listJson,
  REPO_ROOT,
  readPidFile,
  velos,
  velosOk,
  waitFor,
  waitForLiveTable,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

const THROW_ON_SIGNAL = join(REPO_ROOT, 'packages/supervisor/test/fixtures/throw-on-signal.mjs');

describe('the Velos home (issue #8)', () => {
  it('a home others can write is refused with one line naming the path and the fix, and no daemon', async () => {
    const home = createHome();
    chmodSync(home, 0o777);
    const result = await velos(['ping'], { home });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `velos: refusing the Velos home ${home}: it is writable by others (mode 0777); run chmod 700 ${home}\n`,
    );
    expect(readPidFile(home)).toBeNull();
  });

  it('a relative VELOS_HOME is refused in one line, exit 2, before anything is made (it was taken from the current folder)', async () => {
    const cwd = createHome();
    const ticker = join(REPO_ROOT, 'fixtures/ticker.js');
    // the hot path of list, the quick path of start, the full CLI
    for (const args of [['list'], ['list', '--json'], ['start', ticker], ['logs']]) {
      const result = await velos(args, { home: 'relative', cwd });
      expect([result.code, result.stderr], args.join(' ')).toEqual([
        2,
        `velos: VELOS_HOME=relative is a relative path (each folder would have its own daemon); set it to an absolute one: VELOS_HOME=${join(cwd, 'relative')}\n`,
      ]);
    }
    const tilde = await velos(['list'], { home: '~/.velos-x', cwd });
    expect([tilde.code, tilde.stderr]).toEqual([
      2,
      `velos: VELOS_HOME=~/.velos-x is a relative path (each folder would have its own daemon); set it to an absolute one: VELOS_HOME=${join(homedir(), '.velos-x')}\n`,
    ]);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a home owned by another user is refused', async () => {
    // as root a temp home chowned to nobody; otherwise `/`, which root owns (and which is never cleaned up)
    const home = process.getuid?.() === 0 ? createHome() : '/';
    if (home !== '/') chownSync(home, 65534, 65534);
    const result = await velos(['ping'], { home });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^velos: refusing the Velos home .*: it is owned by uid \d+, not by you \(uid \d+\); set VELOS_HOME to a directory of your own\n$/,
    );
  });

  it("a symbolic link planted as an app's log file: that start fails, the outside file is untouched, others start", async () => {
    const home = createHome();
    await velosOk(['ping'], { home });
    const outside = join(createHome(), 'outside.txt');
    writeFileSync(outside, 'not yours\n');
    symlinkSync(outside, join(home, 'logs', 'bad-out.log'));
    const bad = await velos(['start', 'fixtures/chatty.js', '--name', 'bad'], { home });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      `refusing to write ${join(home, 'logs', 'bad-out.log')}: it is a symbolic link`,
    );
    await velosOk(['start', 'fixtures/silent.js', '--name', 'good'], { home });
    await waitForStatus(home, 'good', 'online');
    expect(readFileSync(outside, 'utf8')).toBe('not yours\n');
  });

  it('an uncaught exception is written to daemon.log and ends the daemon; the next one re-adopts its apps', async () => {
    const home = createHome();
    const env = { NODE_OPTIONS: `--import=${THROW_ON_SIGNAL}` };
    await velosOk(['start', 'fixtures/silent.js', '--name', 'keep'], { home, env });
    const app = await waitForStatus(home, 'keep', 'online');
    await waitForLiveTable(home, 'keep');
    const daemonPid = readPidFile(home)!;
    process.kill(daemonPid, 'SIGUSR2');
    await waitFor(() => !isAlive(daemonPid), { timeoutMs: 10_000, message: 'the daemon to end' });
    const log = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(log).toContain('fatal: uncaught exception: Error: planted uncaught exception');
    expect(log).toContain('fatal: the daemon exits (code 70)');
    expect(isAlive(app.pid)).toBe(true);
    const rows = await listJson(home);
    expect(rows.map((row) => [row.name, row.pid, row.status])).toEqual([['keep', app.pid, 'online']]);
    expect(readPidFile(home)).not.toBe(daemonPid);
  });

  it("V8's fatal heap error lands in daemon.log (the daemon's stderr); the next daemon re-adopts the apps", async () => {
    const home = createHome();
    const env = { NODE_OPTIONS: `--import=${THROW_ON_SIGNAL}`, VELOS_TEST_FAILURE: 'heap' };
    await velosOk(['start', 'fixtures/silent.js', '--name', 'keep'], { home, env });
    const app = await waitForStatus(home, 'keep', 'online');
    await waitForLiveTable(home, 'keep');
    const daemonPid = readPidFile(home)!;
    process.kill(daemonPid, 'SIGUSR2');
    await waitFor(() => !isAlive(daemonPid), { timeoutMs: 60_000, message: 'the daemon to run out of heap' });
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(/FATAL ERROR: .*heap/);
    const rows = await listJson(home);
    expect(rows.map((row) => [row.name, row.pid, row.status])).toEqual([['keep', app.pid, 'online']]);
  });
});
