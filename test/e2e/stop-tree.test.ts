import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  descendantsOf,
  isAlive,
  listState,
  outLog,
  readLines,
  readPidFile,
  rowsNamed,
  SeenProcesses,
  sharedHome,
  spawnVelos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

/** Freezer cgroups a test made (thawed and removed in teardown, so that SIGKILLs can land). */
const frozen: string[] = [];
/** Pids that nothing else in teardown can find (no VELOS_HOME, not below the daemon), killed by pid. */
const hidden = new SeenProcesses();

afterEach(async () => {
  for (const dir of frozen) writeFileSync(join(dir, 'freezer.state'), 'THAWED');
  hidden.killAll();
  await cleanupHomes();
  for (const dir of frozen.splice(0)) {
    await waitFor(
      () => {
        rmdirSync(dir);
        return true;
      },
      { message: `${dir} to be empty and removed` },
    );
  }
});

/**
 * Freezes a process in a cgroup-v1 freezer group: a SIGKILL then stays pending (state D) until the
 * group is thawed, as for a process blocked in the kernel. Needs root and the freezer hierarchy.
 */
async function freeze(pid: number): Promise<string> {
  const dir = `/sys/fs/cgroup/freezer/velos-e2e-${pid}`;
  mkdirSync(dir);
  frozen.push(dir);
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  writeFileSync(join(dir, 'freezer.state'), 'FROZEN');
  await waitFor(() => readFileSync(join(dir, 'freezer.state'), 'utf8').trim() === 'FROZEN', {
    message: `pid ${pid} to be frozen`,
  });
  return dir;
}

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
  // Tests that stop or delete only their own app share one home and daemon; the one that kills the
  // daemon has its own.
  const shared = sharedHome();

  it('stop kills every grandchild, including the detached one', async () => {
    const home = shared();
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
    const home = shared();
    const { pid, grandchildren } = await startForker(home, 'doomed');
    await velosOk(['delete', 'doomed'], { home });
    expect((await listState(home)).map((r) => r.name)).not.toContain('doomed');
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
    const home = shared();
    await velosOk(['start', 'fixtures/ignore-sigterm.js', '--name', 'stubborn', '--kill-timeout', '1500'], {
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
    if (Date.now() - started < 1000) expect(isAlive(row.pid)).toBe(true);
    expect(await exited).toBe(0);
    await waitFor(() => !isAlive(row.pid), { timeoutMs: 5000, message: 'SIGKILLed' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    const stopped = await waitForStatus(home, 'stubborn', 'stopped');
    expect(stopped.pid).toBeNull();
  });

  it('a stopped app whose process outlives SIGKILL shows stopping, and its late exit never restarts it (#19.9)', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'stuck', '--kill-timeout', '200'], { home });
    const row = await waitForStatus(home, 'stuck', 'online');
    const group = await freeze(row.pid!);

    // The stop gives up 5 s after its SIGKILL: the process is still there, so the app is still stopping.
    await velosOk(['stop', 'stuck'], { home });
    expect(isAlive(row.pid)).toBe(true);
    expect((await rowsNamed(home, 'stuck'))[0]).toMatchObject({ status: 'stopping', pid: null });

    // When it finally dies (thawed, its pending SIGKILL lands), the app is stopped, not restarted.
    writeFileSync(join(group, 'freezer.state'), 'THAWED');
    await waitFor(() => !isAlive(row.pid), { message: 'the thawed process to die' });
    await waitFor(
      () => readFileSync(join(home, 'daemon.log'), 'utf8').includes('survived SIGKILL are gone'),
      {
        message: 'the daemon to notice that the survivor is gone',
      },
    );
    expect((await rowsNamed(home, 'stuck'))[0]).toMatchObject({ status: 'stopped', pid: null, restarts: 0 });
  });

  it('a manual restart waits until what the exited run left in its group is stopped (#19.11)', async () => {
    const home = shared();
    const ready = join(home, 'left.out');
    // The run exits with code 1 once its child, which ignores SIGTERM, is ready: stopping it takes 2 s.
    const script = `node fixtures/ignore-sigterm.js > ${ready} & until [ -s ${ready} ]; do sleep 0.05; done; exit 1`;
    await velosOk(
      ['start', script, '--name', 'leaver', '--kill-timeout', '2000', '--restart-delay', '60000'],
      { home },
    );
    const left = await waitFor(
      () => Number(/stubborn pid (\d+)/.exec(readLines(ready)[0] ?? '')?.[1]) || undefined,
      {
        message: 'the child pid',
      },
    );
    await waitFor(() => readFileSync(join(home, 'daemon.log'), 'utf8').includes('restarting in 60000 ms'), {
      message: 'the run to exit',
    });
    expect(isAlive(left)).toBe(true);

    await velosOk(['restart', 'leaver'], { home });
    // The new run may only start once the old run's child is gone: it would race it for its port.
    expect(isAlive(left)).toBe(false);
    expect((await rowsNamed(home, 'leaver'))[0]?.restarts).toBe(1);
    // its next run leaves a child of its own: deleted over the socket (stopping it takes its 2 s)
    const client = createClient({ home, autoStart: false, timeoutMs: 20_000 });
    try {
      await client.delete('leaver');
    } finally {
      await client.close().catch(() => undefined);
    }
  });

  it('delete stops a grandchild that called setsid, cleared its environment and left the tree (#8)', async () => {
    const home = shared();
    const pidFile = join(home, 'hidden.pid');
    await velosOk(['start', 'fixtures/detacher.js', '--name', 'detacher'], {
      home,
      env: { PID_FILE: pidFile, HOLD_MS: '4500' },
    });
    const row = await waitForStatus(home, 'detacher', 'online');
    const grandchild = await waitFor(() => Number(readLines(pidFile)[0]) || undefined, {
      message: 'the grandchild pid',
    });
    hidden.add(grandchild);
    // Its parent shell exits: it is then outside the tree, its group and anything naming the home.
    await waitFor(() => !descendantsOf(row.pid!).includes(grandchild), {
      message: 'the grandchild to leave the tree',
    });
    expect(readFileSync(`/proc/${grandchild}/environ`, 'utf8')).toBe('');
    expect(isAlive(grandchild)).toBe(true);

    await velosOk(['delete', 'detacher'], { home });
    await waitFor(() => !isAlive(grandchild), { timeoutMs: 5000, message: 'the hidden grandchild gone' });
  });
});
