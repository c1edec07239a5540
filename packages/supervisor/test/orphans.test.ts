import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findHomeProcesses } from '../src/orphans/orphan-scan.js';
import { isPidAlive, readProcStat } from '../src/proc-scan.js';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, FIXTURES, Harness, killTree, waitFor } from './helpers.js';

const harness = new Harness();
/** Processes a test spawned itself, killed by pid in teardown. */
const owned: ChildProcess[] = [];
afterEach(async () => {
  for (const child of owned.splice(0)) {
    // one that exited is not killed: its pid may name another process by now
    if (child.exitCode === null && child.signalCode === null) killTree(child.pid);
  }
  await harness.cleanup();
});

describe('orphan bookkeeping (SUP-13)', () => {
  it('gives a child private FIFOs, a run entry and VELOS_HOME, and forgets the run when it ends', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const [info] = await supervisor.start([
      appSpec(home, { name: 'env', script: 'echo-env.js', env: { SHOW_ENV: 'VELOS_HOME' } }),
    ]);
    const pid = info!.pid!;
    const run = join(home, 'run');
    expect(statSync(run).mode & 0o777).toBe(0o700);
    for (const which of ['out', 'err']) {
      const fifo = statSync(join(run, `0-${which}.fifo`));
      expect(fifo.isFIFO()).toBe(true);
      expect(fifo.mode & 0o777).toBe(0o600);
    }
    // The child writes into a FIFO, not into a pipe of the daemon's.
    expect(readFileSync(`/proc/${pid}/fdinfo/1`, 'utf8')).toMatch(/flags:\s+\d*2\n/);
    const entryPath = join(run, '0.json');
    const entry = await waitFor(() => existsSync(entryPath) && JSON.parse(readFileSync(entryPath, 'utf8')), {
      what: 'the run entry',
    });
    expect(entry).toMatchObject({ id: 0, name: 'env', pid, spawnedBy: process.pid });
    expect(entry.startTicks).toBe(readProcStat(pid)!.startTicks);
    const text = await waitFor(
      async () => (await supervisor.logs({ target: 'env', lines: 10 })).map((l) => l.line).join('\n'),
      { what: 'echo-env output through the FIFO' },
    );
    expect(text).toContain(`"VELOS_HOME":"${home}"`);
    expect(findHomeProcesses(home)).toEqual([{ pid, id: 0, rawId: '0' }]);

    await supervisor.stop('env');
    await waitFor(() => !existsSync(entryPath), { what: 'the run entry to go' });
    await supervisor.delete('env');
    expect(existsSync(join(run, '0-out.fifo'))).toBe(false);
  });

  it('captures every line of a fast child through its FIFO, exactly once', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, {
        name: 'chatty',
        script: join(FIXTURES, 'chatty.js'),
        env: { COUNT: '20000', RATE: '0' },
        autorestart: false,
      }),
    ]);
    await waitFor(async () => (await supervisor.list())[0]?.status === 'stopped', { what: 'chatty to exit' });
    const lines = await waitFor(
      () => {
        const text = readFileSync(join(home, 'logs', 'chatty-out.log'), 'utf8').split('\n');
        return text.length === 20001 ? text : undefined;
      },
      { what: 'all 20000 lines' },
    );
    expect(lines[19999]).toBe('line 20000');
    expect((await supervisor.describe('chatty'))[0]!.logLines.out).toBe(20000);
  });

  it('never signals the pid of an adopted process once it names another process (#19.12)', async () => {
    const home = harness.home();
    const first = createSupervisor({ home });
    await first.start([appSpec(home, { name: 'tick', script: 'ticker.js' })]);
    await first.save();
    await first.close();
    // What a dead daemon leaves: a registered orphan that is not our child (its parent shell reaps it).
    const holder = spawn(
      '/bin/sh',
      ['-c', `"${process.execPath}" ticker.js >/dev/null 2>&1 & echo $! ; wait`],
      {
        cwd: FIXTURES,
        env: appSpec(home, { name: 'tick' }).env,
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    owned.push(holder);
    const orphan = Number(
      await new Promise<string>((resolve) => holder.stdout!.once('data', (chunk) => resolve(String(chunk)))),
    );
    const entry = {
      id: 0,
      name: 'tick',
      pid: orphan,
      startTicks: readProcStat(orphan)!.startTicks,
      startedAt: Date.now(),
      spawnedBy: 1,
    };
    writeFileSync(join(home, 'run', '0.json'), JSON.stringify(entry));
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.restore();
    expect((await supervisor.list())[0]).toMatchObject({ pid: orphan, adopted: true });

    // It dies and, before the adopted run's next check, a new process gets its pid; then a stop comes.
    process.kill(orphan, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (readProcStat(orphan) !== null && Date.now() < deadline) {
      // the parent shell reaps it within milliseconds; waiting without yielding keeps the check from running
    }
    const impostor = spawnWithPid(orphan, 'sleep', ['300']);
    owned.push(impostor);
    await supervisor.stop('tick');
    expect(isPidAlive(impostor.pid!)).toBe(true);
    expect((await supervisor.list())[0]).toMatchObject({ status: 'stopped', pid: null });
  });
});

/**
 * Spawns a program with a given pid (free at the time) by setting the kernel's last pid just below it
 * (root only). Another process of the machine that forks in between takes the pid first and may hold it
 * for a while (a busy CI runs other tests beside this one): then wait until it is free again and retry,
 * for at most 20 s. Synchronous throughout, so that nothing of the test's supervisor runs meanwhile.
 */
function spawnWithPid(pid: number, file: string, args: string[]): ChildProcess {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (existsSync(`/proc/${pid}`)) {
      Atomics.wait(pause, 0, 0, 5);
      continue;
    }
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const child = spawn(file, args, { stdio: 'ignore' });
    if (child.pid === pid) return child;
    child.kill('SIGKILL');
  }
  throw new Error(`could not spawn ${file} with pid ${pid}: another process held it for 20 s`);
}
