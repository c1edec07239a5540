import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fixture,
  freePort,
  homePids,
  homeProcesses,
  isAlive,
  isHomePath,
  killChild,
  killPid,
  makeTempHome,
  runVelos,
  SeenProcesses,
  type TempHome,
  VELOS_BIN,
  waitFor,
} from '../src/index.js';

const homes: TempHome[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const home of homes.splice(0)) await home.cleanup();
});

/** A `silent.js` child with `env` over this process's environment. */
function silentChild(env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, [fixture('silent.js')], {
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });
  children.push(child);
  return child;
}

/** True when a SIGKILL is pending for the process or it has already died: kill() marks it at once. */
function wasKilled(pid: number): boolean {
  if (!isAlive(pid)) return true;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)];
  return pending.some(([, mask]) => (BigInt(`0x${mask}`) & (1n << 8n)) !== 0n);
}

describe('temporary homes', () => {
  it('are empty 0700 directories that cleanup removes', async () => {
    const home = makeTempHome();
    expect(statSync(home.path).mode & 0o777).toBe(0o700);
    await home.cleanup();
    expect(existsSync(home.path)).toBe(false);
  });

  it('cleanup kills, by PID, a process that left its parent but carries VELOS_HOME', async () => {
    const home = makeTempHome();
    homes.push(home);
    // detached and unreferenced: found only through its environment, as a setsid grandchild would be
    const child = spawn(process.execPath, [fixture('silent.js')], {
      cwd: '/',
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, VELOS_HOME: home.path },
    });
    child.unref();
    await waitFor(() => homePids(home.path).includes(child.pid!), 'the child to show in /proc');
    await home.cleanup();
    await waitFor(() => !isAlive(child.pid), 'the child to be gone');
  });

  it("finds no process for a home that cannot be one: a failed setup's '' or a top-level path", () => {
    // '' matched every process whose cwd starts with '/': a teardown of a setup that failed before it made
    // its home killed every process on the machine but this one's ancestors
    for (const bad of ['', '/', '/tmp', '/tmp/', 'relative/home', '/tmp/..']) {
      expect(isHomePath(bad)).toBe(false);
      expect(homePids(bad)).toEqual([]);
      expect(homeProcesses(bad)).toEqual([]);
    }
    expect(isHomePath('/tmp/velos-x')).toBe(true);
  });
});

describe('killing by pid', () => {
  it("leaves alone a process of another vitest worker (its pid was reused), and kills this worker's", () => {
    const own = process.env.VITEST_POOL_ID;
    expect(own).toBeDefined();
    const other = silentChild({ VITEST_POOL_ID: `${own}0` });
    const mine = silentChild();
    killPid(other.pid);
    killPid(mine.pid);
    expect(wasKilled(other.pid!)).toBe(false);
    expect(wasKilled(mine.pid!)).toBe(true);
  });

  it('kills the processes it saw while they run, never a pid whose process ended', async () => {
    const seen = new SeenProcesses();
    const ended = silentChild();
    const running = silentChild();
    seen.add(ended.pid);
    seen.add(running.pid);
    seen.add(2 ** 22 + 1); // no such process: not recorded
    expect(seen.alive().sort()).toEqual([ended.pid, running.pid].sort());
    ended.kill('SIGKILL');
    await waitFor(() => !seen.alive().includes(ended.pid!), 'the ended child to leave the live list');
    expect(seen.alive()).toEqual([running.pid]);
    seen.killAll();
    expect(wasKilled(running.pid!)).toBe(true);
    expect(seen.alive()).toEqual([]);
  });

  it('kills a child while it runs, never the pid of one that exited (another process may have it since)', () => {
    const running = silentChild();
    // an exited child whose pid a later process got: here, the running one's
    killChild({ pid: running.pid, exitCode: 0, signalCode: null });
    killChild({ pid: running.pid, exitCode: null, signalCode: 'SIGTERM' });
    expect(wasKilled(running.pid!)).toBe(false);
    killChild(running);
    expect(wasKilled(running.pid!)).toBe(true);
  });
});

describe('freePort', () => {
  it('gives a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('runVelos', () => {
  it('runs the built CLI and captures its exit code and output', async () => {
    const home = makeTempHome();
    homes.push(home);
    expect(existsSync(VELOS_BIN)).toBe(true);
    const result = await runVelos(['--version'], { home: home.path });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/\d+\.\d+\.\d+/);
  });
});
