import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive, readProcStat, takeSnapshot, treePids } from '../src/proc-scan.js';
import { createSupervisor } from '../src/supervisor.js';
import { stopTree } from '../src/tree-stop.js';
import { appSpec, Harness, SeenProcesses, waitFor } from './helpers.js';

const harness = new Harness();
const spawned = new SeenProcesses();
afterEach(async () => {
  spawned.killAll({ withDescendants: true });
  await harness.cleanup();
});

describe('stopping a process tree', () => {
  it('stops what a run that exited by itself left in its process group before restarting it', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
    const pidFile = join(home, 'left-behind.pids');
    const [info] = await supervisor.start([
      appSpec(home, {
        name: 'quitter',
        script: 'forker.js',
        env: { GRANDCHILDREN: '3', PID_FILE: pidFile, EXIT_AFTER_MS: '400' },
        killTimeoutMs: 2000,
      }),
    ]);
    // the file exists before forker.js has written the pids into it
    const grandchildren = await waitFor(
      () => {
        const pids = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean) : [];
        return pids.length >= 3 ? pids.map(Number) : null;
      },
      { what: 'three pids in the pid file' },
    );
    // the detached one left the group and, once its parent exits, the tree: nobody can find it
    spawned.add(grandchildren[2]);
    const inGroup = grandchildren.slice(0, 2);
    const restarted = await waitFor(
      async () => {
        const [current] = await supervisor.list();
        return current && current.restarts >= 1 && current.pid !== info!.pid ? current : null;
      },
      { what: 'the restart' },
    );
    expect(inGroup.filter(isPidAlive)).toEqual([]);
    expect(restarted.lastExitReason).toBe('crash');
    const note = logLines.find((line) => line.includes('left behind by its exited run'));
    expect(note, logLines.join('\n')).toBeDefined();
    for (const pid of inGroup) expect(note).toContain(String(pid));
  });

  it('stops forker.js and all its grandchildren, the detached one included', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const pidFile = join(home, 'grandchildren.pids');
    const [info] = await supervisor.start([
      appSpec(home, { name: 'forker', script: 'forker.js', env: { GRANDCHILDREN: '3', PID_FILE: pidFile } }),
    ]);
    // the file exists before forker.js has written the pids into it
    const grandchildren = await waitFor(
      () => {
        const pids = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean) : [];
        return pids.length >= 3 ? pids.map(Number) : null;
      },
      { what: 'three pids in the pid file' },
    );
    expect(grandchildren).toHaveLength(3);
    await waitFor(() => grandchildren.every(isPidAlive), { what: 'grandchildren alive' });
    // the last grandchild runs in its own session, outside the app's process group
    const detached = grandchildren[2]!;
    expect(takeSnapshot().stats.get(detached)?.pgrp).not.toBe(info!.pid);
    expect(treePids(takeSnapshot(), info!.pid!).sort()).toEqual([info!.pid!, ...grandchildren].sort());

    const [stopped] = await supervisor.stop('forker');
    expect(stopped!.status).toBe('stopped');
    expect([info!.pid!, ...grandchildren].filter(isPidAlive)).toEqual([]);
  });

  it('SIGKILLs a process that ignores SIGTERM once kill_timeout has passed', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, { name: 'stubborn', script: 'ignore-sigterm.js', killTimeoutMs: 1200 }),
    ]);
    await waitFor(async () => (await supervisor.logs({ target: 'stubborn' })).length > 0, {
      what: 'its first line',
    });
    const [before] = await supervisor.list();
    const startedAt = Date.now();
    const [stopped] = await supervisor.stop('stubborn');
    const tookMs = Date.now() - startedAt;
    expect(tookMs).toBeGreaterThanOrEqual(1200);
    expect(stopped).toMatchObject({ status: 'stopped', signal: 'SIGKILL' });
    expect(isPidAlive(before!.pid!)).toBe(false);
    const lines = (await supervisor.logs({ target: 'stubborn' })).map((l) => l.line);
    expect(lines).toContain('ignoring SIGTERM');
  });

  it('stopTree finds children forked after the start and returns once all are gone', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 300 & sleep 300 & wait'], {
      detached: true,
      stdio: 'ignore',
    });
    spawned.add(child.pid);
    const tree = await waitFor(
      () => {
        const pids = treePids(takeSnapshot(), child.pid!);
        return pids.length === 3 ? pids : null;
      },
      { what: 'two sleeps' },
    );
    const result = await stopTree(child.pid!, { signal: 'SIGTERM', killTimeoutMs: 5000 });
    expect(result.isForced).toBe(false);
    expect(result.remaining).toEqual([]);
    expect(result.pids.sort()).toEqual(tree.sort());
    expect(tree.filter(isPidAlive)).toEqual([]);
  });

  it('stopTree sends the stop signal once to each process, in the group and escaped from it', async () => {
    const home = harness.home();
    const file = join(home, 'signals.log');
    // each process appends "<pid> <signal>" per signal it gets and exits 300 ms after the first: a
    // second SIGTERM (or SIGINT) is "quit now" to many apps
    const counter = `const { appendFileSync } = require('node:fs');
      process.on('SIGTERM', () => { appendFileSync(${JSON.stringify(file)}, process.pid + ' TERM\\n'); setTimeout(() => process.exit(0), 300); });
      appendFileSync(${JSON.stringify(file)}, process.pid + ' ready\\n');
      setInterval(() => {}, 1000);`;
    const script = `${counter}
      const { spawn } = require('node:child_process');
      const args = ['-e', ${JSON.stringify(counter)}];
      spawn(process.execPath, args, { stdio: 'ignore' });
      spawn(process.execPath, args, { stdio: 'ignore', detached: true });`;
    const root = spawn(process.execPath, ['-e', script], { detached: true, stdio: 'ignore' });
    spawned.add(root.pid);
    const tree = await waitFor(
      () => {
        const pids = treePids(takeSnapshot(), root.pid!);
        return pids.length === 3 ? pids : null;
      },
      { what: 'two children' },
    );
    for (const pid of tree) spawned.add(pid);
    const linesOf = (kind: string) =>
      (existsSync(file) ? readFileSync(file, 'utf8') : '')
        .split('\n')
        .filter((line) => line.endsWith(` ${kind}`))
        .sort();
    await waitFor(() => linesOf('ready').length === 3, { what: 'three SIGTERM handlers' });
    const result = await stopTree(root.pid!, { signal: 'SIGTERM', killTimeoutMs: 5000 });
    expect(result.isForced).toBe(false);
    expect(linesOf('TERM')).toEqual(tree.map((pid) => `${pid} TERM`).sort());
  });

  it('stopTree leaves alone a root pid that no longer names the process it was given for (#19.12)', async () => {
    const other = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    spawned.add(other.pid);
    const startTicks = readProcStat(other.pid!)!.startTicks;
    // As if the process stopped had died and this one had been given its pid meanwhile.
    const result = await stopTree(other.pid!, {
      signal: 'SIGTERM',
      killTimeoutMs: 100,
      rootStartTicks: startTicks + 1,
    });
    expect(result).toEqual({ pids: [], isForced: false, remaining: [] });
    expect(isPidAlive(other.pid!)).toBe(true);
    expect(readProcStat(other.pid!)?.state).not.toBe('T');
  });
});
