import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import {
  cleanupHomes,
  createHome,
  homeProcesses,
  isAlive,
  onlineRows,
  readPidFile,
  SeenProcesses,
  velosOk,
  waitFor,
  waitForLiveTable,
} from './helpers.js';

/** Every pid a test saw, killed in teardown whatever happened. */
const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

/** The pid answering one GET (no keep-alive), or null when the port does not answer. */
async function answeringPid(port: number): Promise<number | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return ((await response.json()) as { pid: number }).pid;
  } catch {
    return null;
  }
}

/** SIGKILLs the daemon of a home and waits until it is gone. */
async function killDaemon(home: string): Promise<void> {
  const daemon = readPidFile(home)!;
  process.kill(daemon, 'SIGKILL');
  await waitFor(() => !isAlive(daemon), { message: 'the daemon to be gone' });
}

describe('cluster apps after a SIGKILLed daemon (SUP-13)', () => {
  it('keep serving without a daemon; the next daemon takes them over, again after a second crash', async () => {
    const home = createHome();
    const port = await freePort();
    await velosOk(['start', 'fixtures/cluster-server.js', '-i', '2', '--name', 'web'], {
      home,
      env: { PORT: String(port) },
    });
    const before = await onlineRows(home, 'web', 2);
    const workers = before.map((row) => row.pid!);
    for (const pid of workers) seenPids.add(pid);
    for (const proc of homeProcesses(home)) seenPids.add(proc.pid);
    await waitFor(async () => (await answeringPid(port)) !== null, { message: 'the port to answer' });
    await waitForLiveTable(home, 'web');

    for (let crash = 1; crash <= 2; crash += 1) {
      await killDaemon(home);
      // Nobody supervises them now, and they still serve (worker logs go into FIFOs they hold).
      for (let i = 0; i < 10; i += 1) expect(workers).toContain(await answeringPid(port));
      const listed = await velosOk(['list', '--json'], { home });
      expect(listed.stderr).toMatch(
        /re-adopted cluster web \(primary pid \d+\), workers 0: pid \d+, 1: pid \d+/,
      );
      const after = await onlineRows(home, 'web', 2);
      expect(after.map((row) => row.pid)).toEqual(workers);
    }
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(/orphans: re-adopted cluster web/);
  });

  it('stops a primary with no run entry (left by an older velos) and starts the app again', async () => {
    const home = createHome();
    const port = await freePort();
    await velosOk(['start', 'fixtures/cluster-server.js', '-i', '2', '--name', 'web'], {
      home,
      env: { PORT: String(port) },
    });
    const before = await onlineRows(home, 'web', 2);
    const workers = before.map((row) => row.pid!);
    for (const pid of workers) seenPids.add(pid);
    for (const proc of homeProcesses(home)) seenPids.add(proc.pid);
    await killDaemon(home);
    for (const name of readdirSync(join(home, 'run'))) {
      if (/^cluster-\d+\.json$/.test(name)) rmSync(join(home, 'run', name));
    }

    const listed = await velosOk(['list', '--json'], { home });
    expect(listed.stderr).toMatch(/stopped pid \d+ \(cluster primary, not registered\)/);
    await waitFor(() => workers.every((pid) => !isAlive(pid)), { message: 'the old workers to be stopped' });
    const after = await onlineRows(home, 'web', 2);
    for (const row of after) {
      seenPids.add(row.pid!);
      expect(workers).not.toContain(row.pid);
    }
    await waitFor(async () => (await answeringPid(port)) !== null, { message: 'the new workers to serve' });
  });
});
