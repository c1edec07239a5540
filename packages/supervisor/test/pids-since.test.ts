import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isBetween, markPids, snapshotSince } from '../src/pids-since.js';
import { HAS_PROCFS } from '../src/proc-scan.js';

const children: number[] = [];

afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function sleeper(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child.pid!);
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

  it('scans everything (null) without a mark or once the pid space may have gone round', () => {
    expect(snapshotSince(null)).toBeNull();
    if (HAS_PROCFS) expect(snapshotSince({ pid: process.pid, forks: -1e12 })).toBeNull();
  });
});
