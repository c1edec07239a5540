import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  isAlive,
  listJson,
  outLog,
  readLines,
  readPidFile,
  spawnVelos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

/** Starts forker.js and returns its pid and the pids of its grandchildren (the last one detached). */
async function startForker(home: string, name: string): Promise<{ pid: number; grandchildren: number[] }> {
  const pidFile = join(home, `${name}.pids`);
  await velosOk(['start', 'fixtures/forker.js', '--name', name], {
    home,
    env: { PID_FILE: pidFile, GRANDCHILDREN: '3' },
  });
  const row = await waitForStatus(home, name, 'online');
  const grandchildren = await waitFor(
    () => {
      const pids = readLines(pidFile).map(Number);
      return pids.length === 3 && pids.every(isAlive) ? pids : undefined;
    },
    { message: 'three live grandchildren' },
  );
  return { pid: row.pid!, grandchildren };
}

describe('graceful stop of the whole tree (SUP-4)', () => {
  it('stop kills every grandchild, including the detached one', async () => {
    const home = createHome();
    const { pid, grandchildren } = await startForker(home, 'forker');
    await velosOk(['stop', 'forker'], { home });
    const row = await waitForStatus(home, 'forker', 'stopped');
    expect(row.pid).toBeNull();
    await waitFor(() => !isAlive(pid) && grandchildren.every((g) => !isAlive(g)), {
      timeoutMs: 5000,
      message: 'forker and all grandchildren gone',
    });
  });

  it('delete kills the tree and removes the app', async () => {
    const home = createHome();
    const { pid, grandchildren } = await startForker(home, 'doomed');
    await velosOk(['delete', 'doomed'], { home });
    expect((await listJson(home)).map((r) => r.name)).not.toContain('doomed');
    await waitFor(() => !isAlive(pid) && grandchildren.every((g) => !isAlive(g)), {
      timeoutMs: 5000,
      message: 'forker and all grandchildren gone',
    });
  });

  it('kill stops every tree before the daemon exits', async () => {
    const home = createHome();
    const a = await startForker(home, 'tree-a');
    const b = await startForker(home, 'tree-b');
    const daemonPid = readPidFile(home);
    await velosOk(['kill'], { home });
    const all = [a.pid, b.pid, ...a.grandchildren, ...b.grandchildren];
    await waitFor(() => all.every((p) => !isAlive(p)) && !isAlive(daemonPid), {
      timeoutMs: 10_000,
      message: 'every process of both trees and the daemon gone',
    });
  });

  it('sends SIGTERM, waits kill_timeout, then SIGKILLs a process that ignores it', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ignore-sigterm.js', '--name', 'stubborn', '--kill-timeout', '3000'], {
      home,
    });
    const row = await waitForStatus(home, 'stubborn', 'online');
    await waitFor(() => readLines(outLog(home, 'stubborn')).some((l) => l.startsWith('stubborn pid')), {
      message: 'fixture ready',
    });

    const started = Date.now();
    const stop = spawnVelos(['stop', 'stubborn'], { home });
    const exited = new Promise<number | null>((resolve) => stop.on('exit', (code) => resolve(code)));
    await waitFor(() => readLines(outLog(home, 'stubborn')).includes('ignoring SIGTERM'), {
      timeoutMs: 10_000,
      intervalMs: 50,
      message: 'SIGTERM delivered first',
    });
    // It ignored SIGTERM and the grace period is not over yet: it must still be running.
    if (Date.now() - started < 2000) expect(isAlive(row.pid)).toBe(true);
    expect(await exited).toBe(0);
    await waitFor(() => !isAlive(row.pid), { timeoutMs: 5000, message: 'SIGKILLed' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    const stopped = await waitForStatus(home, 'stubborn', 'stopped');
    expect(stopped.pid).toBeNull();
  });
});
