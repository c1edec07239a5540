import { type ChildProcess, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_BUNDLE_DIR } from './bundle-dir.js';
import { appSpec, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const OUTSIDE_TEXT = 'a file outside the Velos home\n';

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A file outside `home` (in another temp home) that a planted link points at. */
function outsideFile(name: string): string {
  const path = join(harness.home(), name);
  writeFileSync(path, OUTSIDE_TEXT);
  return path;
}

/** A directory owned by another user: chowned to nobody when we are root, else `/` (root's). */
function foreignDir(): string {
  if (process.getuid?.() !== 0) return '/';
  const dir = harness.home();
  chownSync(dir, 65534, 65534);
  return dir;
}

describe('the daemon refuses an unsafe home', () => {
  it('writable by others: one clear line naming the path and the fix, non-zero exit, nothing changed', async () => {
    const home = harness.home();
    chmodSync(home, 0o777);
    const child = harness.spawnDaemon(home);
    const { code } = await exitOf(child);
    expect(code).not.toBe(0);
    expect(readFileSync(join(home, 'daemon-0.out'), 'utf8')).toContain(
      `refusing the Velos home ${home}: it is writable by others (mode 0777); run chmod 700 ${home}`,
    );
    expect(statSync(home).mode & 0o777).toBe(0o777);
    expect(existsSync(join(home, 'velos.sock'))).toBe(false);
    expect(existsSync(join(home, 'daemon.log'))).toBe(false);
  });

  it('owned by another user', () => {
    const home = foreignDir();
    // not harness.spawnDaemon: it would write its output file into the foreign home
    const result = spawnSync(process.execPath, [join(TEST_BUNDLE_DIR, 'daemon.mjs'), home], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`refusing the Velos home ${home}: it is owned by uid \\d+, not by you \\(uid \\d+\\)`),
    );
    expect(existsSync(join(home, 'velos.sock'))).toBe(false);
  });
});

describe('planted symbolic links are never followed', () => {
  it('velos.pid, velos.lock, state.json.tmp and run/live.json.tmp are replaced, the outside files untouched', async () => {
    const home = harness.home();
    mkdirSync(join(home, 'run'), { mode: 0o700 });
    const targets = ['velos.pid', 'velos.lock', 'state.json.tmp', 'run/live.json.tmp'].map((name) => {
      const target = outsideFile(name.replace('/', '-'));
      symlinkSync(target, join(home, name));
      return target;
    });
    const { child, client } = await harness.startDaemon(home);
    await client.call('start', { apps: [appSpec(home, { name: 'one' })] });
    await client.call('save');
    expect(readFileSync(join(home, 'velos.pid'), 'utf8').trim()).toBe(String(child.pid));
    expect(lstatSync(join(home, 'velos.pid')).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).apps).toHaveLength(1);
    await client.call('kill');
    await exitOf(child);
    for (const target of targets) expect(readFileSync(target, 'utf8')).toBe(OUTSIDE_TEXT);
  });

  it('daemon.log: the daemon does not start and says why', async () => {
    const home = harness.home();
    const target = outsideFile('daemon.log');
    symlinkSync(target, join(home, 'daemon.log'));
    const { code } = await exitOf(harness.spawnDaemon(home));
    expect(code).not.toBe(0);
    expect(readFileSync(join(home, 'daemon-0.out'), 'utf8')).toContain(
      `refusing to write ${join(home, 'daemon.log')}: it is a symbolic link`,
    );
    expect(readFileSync(target, 'utf8')).toBe(OUTSIDE_TEXT);
  });

  it("an app's log file: that app fails to start with the error, other apps run", async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const target = outsideFile('bad-out.log');
    symlinkSync(target, join(home, 'logs', 'bad-out.log'));
    const refused = await client.request('start', {
      apps: [appSpec(home, { name: 'bad', script: 'chatty.js' })],
    });
    expect(refused.status).toBe('error');
    expect((refused.payload as { code: string; message: string }).message).toContain(
      `refusing to write ${join(home, 'logs', 'bad-out.log')}: it is a symbolic link`,
    );
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('start', {
      apps: [appSpec(home, { name: 'good' })],
    });
    expect(processes.map((p) => [p.name, p.status])).toEqual([['good', 'online']]);
    expect(readFileSync(target, 'utf8')).toBe(OUTSIDE_TEXT);
  });
});

describe('the daemon lock', () => {
  it('fails fast with a clear error when velos.lock exists but cannot be read', async () => {
    const home = harness.home();
    mkdirSync(join(home, 'velos.lock'));
    const startedAt = Date.now();
    const { code } = await exitOf(harness.spawnDaemon(home));
    expect(code).not.toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(readFileSync(join(home, 'daemon-0.out'), 'utf8')).toContain(
      `cannot read the daemon lock ${join(home, 'velos.lock')} (EISDIR); remove it if no Velos daemon runs for ${home}`,
    );
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain('cannot read the daemon lock');
  });
});
