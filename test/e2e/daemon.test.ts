import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  homeProcesses,
  isAlive,
  listJson,
  readPidFile,
  registerHome,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../apps/cli/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

afterEach(cleanupHomes);

describe('daemon (SUP-1)', () => {
  it('prints its version', async () => {
    const home = createHome();
    const result = await velosOk(['--version'], { home });
    expect(result.stdout.trim()).toContain(VERSION);
  });

  it('is auto-started by ping, which answers version and uptime', async () => {
    const home = createHome();
    const result = await velosOk(['ping'], { home });
    expect(result.stdout).toContain(VERSION);
    const pid = readPidFile(home);
    expect(isAlive(pid)).toBe(true);
    expect(existsSync(join(home, 'daemon.log'))).toBe(true);
  });

  it('creates its home 0700 and its socket 0600', async () => {
    const home = registerHome(join(createHome(), 'nested-home'));
    await velosOk(['ping'], { home });
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const socket = statSync(join(home, 'velos.sock'));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
  });

  it('is auto-started by list, which shows no apps on a new home', async () => {
    const home = createHome();
    expect(await listJson(home)).toEqual([]);
    expect(isAlive(readPidFile(home))).toBe(true);
  });

  it('ends with exactly one daemon when CLIs race on an empty home', async () => {
    const home = createHome();
    const results = await Promise.all([
      velos(['ping'], { home }),
      velos(['list', '--json'], { home }),
      velos(['ping'], { home }),
      velos(['list', '--json'], { home }),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const pid = readPidFile(home);
    expect(isAlive(pid)).toBe(true);
    // Every CLI has exited and no app was started: only the daemon may remain.
    const survivors = await waitFor(
      () => {
        const procs = homeProcesses(home);
        return procs.length === 1 ? procs : undefined;
      },
      { timeoutMs: 5000, message: 'one process left in the home' },
    ).catch(() => homeProcesses(home));
    expect(survivors.map((p) => p.pid)).toEqual([pid]);
    const ping = await velosOk(['ping'], { home });
    expect(ping.stdout).toContain(VERSION);
    expect(readPidFile(home)).toBe(pid);
  });

  it('kill stops every child, then the daemon; the next command starts a new daemon', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'quiet'], { home });
    const app = await waitForStatus(home, 'quiet', 'online');
    const daemonPid = readPidFile(home);
    expect(isAlive(app.pid)).toBe(true);
    expect(isAlive(daemonPid)).toBe(true);

    await velosOk(['kill'], { home });
    await waitFor(() => !isAlive(app.pid) && !isAlive(daemonPid), {
      timeoutMs: 10_000,
      message: 'app and daemon gone',
    });
    expect(homeProcesses(home)).toEqual([]);

    await velosOk(['ping'], { home });
    const next = readPidFile(home);
    expect(isAlive(next)).toBe(true);
    expect(next).not.toBe(daemonPid);
  });

  it('kill does not start a daemon on a home without one', async () => {
    const home = createHome();
    await velos(['kill'], { home });
    expect(readPidFile(home)).toBeNull();
    expect(homeProcesses(home)).toEqual([]);
  });
});
