import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isBetween, isThreadStat, markPids, PROBE_LIMIT, snapshotSince } from '../src/pids-since.js';
import { HAS_PROCFS } from '../src/proc-scan.js';
import { SeenProcesses, waitFor } from './helpers.js';

/** The processes a test started (and their children), killed in teardown while they still run. */
const children = new SeenProcesses();

afterEach(() => children.killAll());

/** A node process with a worker thread (its threads' ids are pids /proc does not list). */
function threaded(): number {
  const code = `new (require('node:worker_threads').Worker)('setInterval(() => {}, 1000)', { eval: true });
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.add(child.pid);
  return child.pid!;
}

function threadIds(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`)
    .map(Number)
    .filter((tid) => tid !== pid);
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1')
      .trim()
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function sleeper(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.add(child.pid);
  return child.pid!;
}

describe('pids allocated since a mark (issue 17)', () => {
  it('follows the cyclic order of pid allocation', () => {
    expect(isBetween(101, 100, 200)).toBe(true);
    expect(isBetween(200, 100, 200)).toBe(true);
    expect(isBetween(100, 100, 200)).toBe(false);
    expect(isBetween(201, 100, 200)).toBe(false);
    // wrapped: from 4000 up to pid_max, then from the bottom up to 50
    expect(isBetween(4001, 4000, 50)).toBe(true);
    expect(isBetween(30, 4000, 50)).toBe(true);
    expect(isBetween(51, 4000, 50)).toBe(false);
    expect(isBetween(3999, 4000, 50)).toBe(false);
  });

  it.runIf(HAS_PROCFS)(
    'lists processes started after the mark, the daemon and its ancestors, not older ones',
    () => {
      const before = sleeper();
      const mark = markPids(sleeper());
      expect(mark).not.toBeNull();
      const after = sleeper();
      const snapshot = snapshotSince(mark)!;
      expect(snapshot).not.toBeNull();
      expect(snapshot.stats.has(after)).toBe(true);
      expect(snapshot.stats.has(mark!.pid)).toBe(false);
      expect(snapshot.stats.has(before)).toBe(false);
      expect(snapshot.stats.has(process.pid)).toBe(true);
      expect(snapshot.children.get(process.pid)).toContain(after);
    },
  );

  it.runIf(HAS_PROCFS)('tells a thread from a process by its exit signal', () => {
    expect(isThreadStat(readFileSync(`/proc/${process.pid}/stat`, 'latin1'))).toBe(false);
    const [thread] = threadIds(process.pid);
    if (thread !== undefined) expect(isThreadStat(readFileSync(`/proc/${thread}/stat`, 'latin1'))).toBe(true);
  });

  it.runIf(HAS_PROCFS)(
    'leaves threads out, whether the few new pids are looked up one by one or /proc is listed',
    async () => {
      const mark = markPids(sleeper())!;
      const pid = threaded();
      const threads = await waitFor(() => (threadIds(pid).length >= 2 ? threadIds(pid) : null), {
        what: 'the worker thread',
      });
      const after = sleeper();
      // one by one (a few pids since the mark), then by a listing (a mark further back than PROBE_LIMIT)
      const wide = { pid: Math.max(1, after - PROBE_LIMIT - 50), forks: mark.forks };
      for (const snapshot of [snapshotSince(mark)!, snapshotSince(wide)!]) {
        expect(snapshot.stats.has(pid)).toBe(true);
        expect(snapshot.stats.has(after)).toBe(true);
        for (const tid of threads) expect(snapshot.stats.has(tid)).toBe(false);
      }
    },
  );

  it.runIf(HAS_PROCFS)(
    "for a session leader's mark, keeps its session and newer ones, not processes of older sessions",
    async () => {
      // the marked run: a detached shell (it leads its session) with a child in that session
      const leader = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore', detached: true });
      children.add(leader.pid);
      const mark = markPids(leader.pid!)!;
      const inSession = await waitFor(() => childrenOf(leader.pid!)[0], { what: 'the shell child' });
      children.add(inSession);
      const ownSession = spawn('sleep', ['30'], { stdio: 'ignore', detached: true }).pid!;
      children.add(ownSession);
      const olderSession = sleeper(); // in the test runner's session, begun before the mark
      const snapshot = snapshotSince(mark, { isSessionLeader: true })!;
      expect(snapshot.stats.has(inSession)).toBe(true);
      expect(snapshot.stats.has(ownSession)).toBe(true);
      expect(snapshot.stats.has(olderSession)).toBe(false);
      expect(snapshotSince(mark)!.stats.has(olderSession)).toBe(true);
      expect(snapshot.stats.has(process.pid)).toBe(true);
    },
  );

  it('scans everything (null) without a mark or once the pid space may have gone round', () => {
    expect(snapshotSince(null)).toBeNull();
    if (HAS_PROCFS) expect(snapshotSince({ pid: process.pid, forks: -1e12 })).toBeNull();
  });
});
