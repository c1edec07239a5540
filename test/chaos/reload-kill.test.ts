import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURE_DIR,
  freePort,
  homeProcesses,
  isAlive,
  killDaemon,
  onlineRows,
  readPidFile,
  SeenProcesses,
  spawnVelos,
  velosOk,
  waitFor,
} from './chaos-helpers.js';

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

describe('SIGKILL of the daemon during a cluster reload', () => {
  it('the next daemon takes the cluster over, stops the half-started workers, and a new reload completes', async () => {
    const home = createHome();
    const port = await freePort();
    // Each new worker listens 500 ms after it starts: the reload is still going when the daemon dies.
    await velosOk(['start', `${FIXTURE_DIR}/cluster-server.js`, '-i', '2', '--name', 'web'], {
      home,
      env: { PORT: String(port), LISTEN_DELAY_MS: '500' },
    });
    await onlineRows(home, 'web', 2);
    await waitFor(async () => (await answeringPid(port)) !== null, { message: 'the port to answer' });

    const reload = spawnVelos(['reload', 'web'], { home });
    let reloadOutput = '';
    reload.stderr?.on('data', (chunk: Buffer) => {
      reloadOutput += chunk.toString();
    });
    await waitFor(() => homeProcesses(home).length > 3, { intervalMs: 20, message: 'a new worker to start' });
    for (const proc of homeProcesses(home)) seenPids.add(proc.pid);
    const daemon = await killDaemon(home);
    const killedAt = performance.now();
    // The port is served all along: the primary and the workers did not die with the daemon.
    expect(await answeringPid(port)).not.toBeNull();
    await new Promise((resolve) => reload.once('exit', resolve));

    // The next command (here the reload's own retry, or this list) starts a daemon that settles the orphans.
    await velosOk(['list', '--json'], { home });
    const daemonLog = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(daemonLog, reloadOutput).toMatch(/orphans: re-adopted cluster web \(primary pid \d+\)/);
    const after = await onlineRows(home, 'web', 2);
    for (const row of after) seenPids.add(row.pid!);
    // Of the interrupted reload only the workers that are runs of the two processes are left (and the primary).
    await waitFor(
      () =>
        homeProcesses(home).filter((proc) => proc.pid !== readPidFile(home) && proc.pid !== daemon).length ===
        3,
      { message: 'the half-started workers to be stopped' },
    );
    for (const row of after) expect(isAlive(row.pid)).toBe(true);
    const pid = await waitFor(() => answeringPid(port), { message: 'the port to be served' });
    expect(after.map((row) => row.pid)).toContain(pid);
    console.log(
      `cluster reload kill: taken over, half-started workers stopped ${Math.round(performance.now() - killedAt)} ms after the kill`,
    );

    // A new reload of the taken-over cluster completes.
    await velosOk(['reload', 'web'], { home });
    const reloaded = await onlineRows(home, 'web', 2);
    for (const row of reloaded) {
      seenPids.add(row.pid!);
      expect(after.map((r) => r.pid)).not.toContain(row.pid);
    }
  });
});
