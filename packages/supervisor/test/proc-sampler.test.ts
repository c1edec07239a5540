import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcSampler } from '../src/proc-sampler.js';
import { HAS_PROCFS, readProcStat, takeSnapshot, treePids } from '../src/proc-scan.js';
import { parseStatBytes, type StatFigures } from '../src/proc-stat-bytes.js';
import { SeenProcesses, waitFor } from './helpers.js';

const FORKER = join(import.meta.dirname, '../../../fixtures/forker.js');
const spawned = new SeenProcesses();
afterEach(() => {
  spawned.killAll({ withDescendants: true });
});

const figures = (): StatFigures => ({ state: 0, ppid: 0, pgrp: 0, ticks: 0, startTicks: 0, rssPages: 0 });

describe('parseStatBytes', () => {
  it('reads the fields after the last parenthesis of the command name', () => {
    const line = '42 (a (b) c) S 7 42 42 0 -1 4194560 10 0 0 0 15 5 0 0 20 0 1 0 12345 1000 33 1844 0 0\n';
    const into = figures();
    expect(parseStatBytes(Buffer.from(line, 'latin1'), line.length, into)).toBe(true);
    expect(into).toEqual({
      state: 'S'.charCodeAt(0),
      ppid: 7,
      pgrp: 42,
      ticks: 20,
      startTicks: 12345,
      rssPages: 33,
    });
  });

  it('reads only the first `length` bytes of a reused buffer', () => {
    const line = '9 (x) R 1 9 9 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 77 1000 5';
    const buffer = Buffer.alloc(256, ' ');
    buffer.write(`${line} 0 0 ) (y) 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8`, 'latin1');
    const into = figures();
    expect(parseStatBytes(buffer, line.length, into)).toBe(true);
    expect(into).toEqual({
      state: 'R'.charCodeAt(0),
      ppid: 1,
      pgrp: 9,
      ticks: 7,
      startTicks: 77,
      rssPages: 5,
    });
    expect(parseStatBytes(buffer, line.length - 2, figures())).toBe(false);
    expect(parseStatBytes(buffer, 0, figures())).toBe(false);
  });

  it('refuses a line without a command name or with too few fields', () => {
    expect(parseStatBytes(Buffer.from('42 S 1 2'), 8, figures())).toBe(false);
    const short = '42 (x) S 1 2 3 4 5 6 7 8 9 10';
    expect(parseStatBytes(Buffer.from(short), short.length, figures())).toBe(false);
  });
});

/** Starts the forker fixture with `count` detached grandchildren; all are killed in teardown. */
async function startForker(count: number): Promise<{ child: ChildProcess; grandchildren: number[] }> {
  const child = spawn(process.execPath, [FORKER], {
    env: { ...process.env, GRANDCHILDREN: String(count) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  spawned.add(child.pid);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const grandchildren = await waitFor(
    () => /grandchildren ([\d ]+)/.exec(out)?.[1]?.split(' ').map(Number) ?? null,
    { what: 'the forker to print its grandchildren' },
  );
  for (const pid of grandchildren) spawned.add(pid);
  return { child, grandchildren };
}

describe.skipIf(!HAS_PROCFS)('ProcSampler', () => {
  it('sums the same tree as takeSnapshot and treePids, a detached grandchild included while its parent lives', async () => {
    const { child, grandchildren } = await startForker(3);
    const sampler = new ProcSampler();
    sampler.scan();
    const snapshot = takeSnapshot();
    const sums = { ticks: 0, rssPages: 0 };
    sampler.sumTree(child.pid!, sums);
    const visited = Array.from(sampler.visited.subarray(0, sampler.visitedCount), (row) => sampler.pids[row]);
    expect(visited.sort()).toEqual(treePids(snapshot, child.pid!).sort());
    expect(visited).toEqual(expect.arrayContaining([child.pid!, ...grandchildren]));
    expect(sums.rssPages).toBeGreaterThan(0);
    const row = sampler.rowOf(grandchildren[0]!);
    expect(sampler.startTicks[row]).toBe(readProcStat(grandchildren[0]!)!.startTicks);
    expect(sampler.rowOf(2 ** 30)).toBe(-1);
  });

  it('gives a root that is gone nothing, and a second scan rebuilds the links', () => {
    const sampler = new ProcSampler();
    sampler.scan();
    sampler.scan();
    const sums = { ticks: 1, rssPages: 1 };
    sampler.sumTree(2 ** 30, sums);
    expect(sums).toEqual({ ticks: 0, rssPages: 0 });
    sampler.sumTree(process.pid, sums);
    expect(sums.rssPages).toBeGreaterThan(0);
    expect(sampler.pids[sampler.visited[0]!]).toBe(process.pid);
  });

  it('rereads only the known tree between scans: a member gone since counts 0, a root gone asks for a scan', async () => {
    const { child, grandchildren } = await startForker(2);
    const sampler = new ProcSampler();
    sampler.scan();
    const sums = { ticks: 0, rssPages: 0 };
    const gone = grandchildren[0]!;
    process.kill(gone, 'SIGKILL');
    await waitFor(() => readProcStat(gone) === null || readProcStat(gone)!.state === 'Z', {
      what: 'the grandchild to die',
    });
    expect(sampler.sumTree(child.pid!, sums, true)).toBe(true);
    expect(sampler.startTicks[sampler.rowOf(gone)]).toBe(-1);
    expect(sampler.startTicks[sampler.rowOf(grandchildren[1]!)]).toBeGreaterThan(0);
    process.kill(child.pid!, 'SIGKILL');
    await waitFor(() => readProcStat(child.pid!) === null || readProcStat(child.pid!)!.state === 'Z', {
      what: 'the forker to die',
    });
    expect(sampler.sumTree(child.pid!, sums, true)).toBe(false);
    expect(sums).toEqual({ ticks: 0, rssPages: 0 });
  });
});
