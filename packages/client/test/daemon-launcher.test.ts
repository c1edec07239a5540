import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, isVelosError, type PingResult } from '@velos/core';
import { homePids, isAlive, killPid, waitFor } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type DaemonLauncher, ensureDaemon, type VelosClient } from '../src/index.js';

const fakeDaemon: DaemonLauncher = { entry: fixture('fake-daemon.mjs') };
const failingDaemon: DaemonLauncher = { entry: fixture('failing-daemon.mjs'), startTimeoutMs: 30_000 };

let home = '';
const clients: VelosClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  // Every fake daemon runs with VELOS_HOME=home: kill those still running (a racing loser exited at once,
  // and its recorded pid may name another process by now).
  for (const pid of homePids(home)) killPid(pid);
  rmSync(home, { recursive: true, force: true });
});

function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

function newHome(): string {
  home = mkdtempSync(join(tmpdir(), 'velos-launch-'));
  return home;
}

describe('ensureDaemon', () => {
  it('starts a detached daemon with the "daemon" argument and VELOS_HOME, then finds it running', async () => {
    newHome();
    const first = await ensureDaemon(home, fakeDaemon);
    expect(first.started).toBe(true);
    expect(first.daemon.home).toBe(home);
    expect(readdirSync(join(home, 'pids'))).toEqual([String(first.daemon.pid)]);
    expect(readFileSync(join(home, 'pids', String(first.daemon.pid)), 'utf8')).toBe('daemon');
    const second = await ensureDaemon(home, fakeDaemon);
    expect(second).toMatchObject({ started: false, daemon: { pid: first.daemon.pid } });
  });

  it('leaves two racing starters connected to the one daemon that won the lock', async () => {
    newHome();
    const [a, b] = await Promise.all([ensureDaemon(home, fakeDaemon), ensureDaemon(home, fakeDaemon)]);
    expect(a.daemon.pid).toBe(b.daemon.pid);
    // Usually both spawn a daemon and the loser of the lock exits; on a busy machine the second starter
    // may find the first daemon already answering and spawn none.
    const spawned = readdirSync(join(home, 'pids')).map(Number);
    expect(spawned).toContain(a.daemon.pid);
    expect(spawned.length).toBeLessThanOrEqual(2);
    for (const pid of spawned.filter((pid) => pid !== a.daemon.pid)) {
      await waitFor(() => !isAlive(pid), { message: `the losing daemon ${pid} exits` });
    }
  });

  it('fails with DAEMON_START_FAILED naming daemon.log soon after the daemon exits with an error', async () => {
    newHome();
    const startedAt = Date.now();
    const error = await ensureDaemon(home, failingDaemon).catch((e: unknown) => e);
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.DAEMON_START_FAILED);
    expect((error as Error).message).toBe(
      // it said "within 30 s" of a daemon that exited at once, and not why it exited
      `the Velos daemon did not start (it exited with code 3: cannot start: ENOSPC: no space left on device, write); see ${join(home, 'daemon.log')}`,
    );
    expect(Date.now() - startedAt).toBeLessThan(20_000);
  });
});

describe('ensureDaemon and the home', () => {
  it("sends the daemon's stderr to daemon.log: V8's fatal heap error is kept there", async () => {
    newHome();
    const launcher = { entry: fixture('heap-limit-daemon.mjs'), nodeFlags: ['--max-old-space-size=16'] };
    const error = await ensureDaemon(home, launcher).catch((e: unknown) => e);
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.DAEMON_START_FAILED);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(/FATAL ERROR: .*heap/);
    expect(statSync(join(home, 'daemon.log')).mode & 0o777).toBe(0o600);
  });

  it('refuses a home others can write, naming the path and the fix, and starts nothing', async () => {
    newHome();
    chmodSync(home, 0o777);
    const error = await ensureDaemon(home, fakeDaemon).catch((e: unknown) => e);
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.UNSAFE_HOME);
    expect((error as Error).message).toBe(
      `refusing the Velos home ${home}: it is writable by others (mode 0777); run chmod 700 ${home}`,
    );
    expect(existsSync(join(home, 'pids'))).toBe(false);
  });

  it('refuses a daemon.log that is a symbolic link and leaves its target alone', async () => {
    newHome();
    const target = join(home, 'outside.txt');
    writeFileSync(target, 'outside\n');
    symlinkSync(target, join(home, 'daemon.log'));
    const error = await ensureDaemon(home, fakeDaemon).catch((e: unknown) => e);
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.IO_ERROR);
    expect((error as Error).message).toContain(
      `refusing to write ${join(home, 'daemon.log')}: it is a symbolic link`,
    );
    expect(readFileSync(target, 'utf8')).toBe('outside\n');
    expect(existsSync(join(home, 'pids'))).toBe(false);
  });

  it('waits for a daemon that is restoring and hands on its final warnings', async () => {
    newHome();
    process.env.FAKE_RESTORE_MS = '600';
    try {
      const seen: PingResult[] = [];
      const { daemon } = await ensureDaemon(home, { ...fakeDaemon, onStarted: (ping) => seen.push(ping) });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.restoring).toBeUndefined();
      expect(seen[0]!.warnings).toEqual(['restored']);
      expect(daemon.warnings).toEqual(['restored']);
    } finally {
      delete process.env.FAKE_RESTORE_MS;
    }
  });
});

describe('createClient with autoStart', () => {
  it('starts the daemon on the first request, over a stale socket file too', async () => {
    newHome();
    writeFileSync(join(home, 'velos.sock'), '');
    const client = createClient({ home, autoStart: fakeDaemon });
    clients.push(client);
    const ping = await client.ping();
    expect(ping.version).toBe('fake');
    expect(readdirSync(join(home, 'pids'))).toEqual([String(ping.pid)]);
  });

  it('starts it again on a reconnect by default, only on the first connection with autoStartOnReconnect: false', async () => {
    newHome();
    const endDaemon = async (pid: number) => {
      killPid(pid);
      await waitFor(() => !isAlive(pid), { timeoutMs: 5000, message: `fake daemon ${pid} to end` });
      // the fake daemon's lock is a file it never removes: free it as a daemon's exit does
      rmSync(join(home, 'daemon.lock'), { force: true });
    };
    const eager = createClient({ home, autoStart: fakeDaemon });
    clients.push(eager);
    const first = await eager.ping();
    await endDaemon(first.pid);
    const second = await eager.ping();
    expect(second.pid).not.toBe(first.pid);
    await endDaemon(second.pid);

    const once = createClient({ home, autoStart: fakeDaemon, autoStartOnReconnect: false });
    clients.push(once);
    const third = await once.ping();
    await endDaemon(third.pid);
    const error = await once.ping().catch((e: unknown) => e);
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.DAEMON_UNAVAILABLE);
    expect(readdirSync(join(home, 'pids')).map(Number).sort()).toEqual(
      [first.pid, second.pid, third.pid].sort(),
    );
    // a daemon started by someone else is found on the next request
    const { daemon } = await ensureDaemon(home, fakeDaemon);
    expect((await once.ping()).pid).toBe(daemon.pid);
  });

  it('does not start anything without a launcher', async () => {
    newHome();
    const client = createClient({ home });
    clients.push(client);
    const error = await client.list().catch((e: unknown) => e);
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.DAEMON_UNAVAILABLE);
    expect(existsSync(join(home, 'pids'))).toBe(false);
  });
});
