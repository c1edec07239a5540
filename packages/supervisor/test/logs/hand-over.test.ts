import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogPipeline } from '../../src/logs/index.js';
import { MAX_READ_PAUSE_MS } from '../../src/logs/read-pacer.js';
import { createReadHandOver, HAND_OVER_GRACE_MS } from '../../src/orphans/read-hand-over.js';
import { fileLines, Harness, waitFor } from './helpers.js';

const harness = new Harness();
const fds: number[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const fd of fds.splice(0)) closeSync(fd);
  await harness.cleanup();
});

/** A FIFO held open for writing as a child holds its own (`fifo-stdio.ts`): its write end's fd. */
async function fifo(): Promise<{ path: string; writer: number; dir: string }> {
  const dir = await harness.dir();
  const path = join(dir, '0-out.fifo');
  execFileSync('mkfifo', ['-m', '600', path]);
  const writer = openSync(path, constants.O_RDWR);
  fds.push(writer);
  return { path, writer, dir };
}

/** A pipeline writing `<dir>/<name>-out.log`, reading the FIFO at `path` as a daemon does. */
function reader(dir: string, name: string, path: string): { logs: LogPipeline; socket: Socket; out: string } {
  const out = join(dir, `${name}-out.log`);
  const logs = harness.pipeline({
    id: 0,
    name,
    outPath: out,
    errPath: join(dir, `${name}-err.log`),
    format: 'plain',
  });
  const socket = new Socket({
    fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK),
    readable: true,
  });
  sockets.push(socket);
  logs.attach(socket, 'out', 1);
  return { logs, socket, out };
}

/** Gives a reader that still reads time to: more than the longest pause between two reads. */
const readerTurns = () => new Promise((resolve) => setTimeout(resolve, MAX_READ_PAUSE_MS * 4));

describe('suspend: a daemon hand-over (velos update) loses no line', () => {
  it('writes every line read (a partial one as a line) and leaves what comes later in the FIFO for the next reader', async () => {
    const { path, writer, dir } = await fifo();
    const old = reader(dir, 'old', path);
    writeSync(writer, 'one\ntwo\npar');
    await waitFor(
      async () => (await fileLines(old.out)).length === 2,
      'the whole lines in the old file',
      5000,
    );
    await old.logs.suspend();
    expect(await fileLines(old.out)).toEqual(['one', 'two', 'par']);

    writeSync(writer, 'three\n');
    await readerTurns();
    // the old daemon ends (SIGKILL): its reader closes; the next one opens the FIFO
    old.socket.destroy();
    const next = reader(dir, 'next', path);
    await waitFor(async () => (await fileLines(next.out)).length === 1, 'the line in the next file', 5000);
    expect(await fileLines(next.out)).toEqual(['three']);
    expect(await fileLines(old.out)).toEqual(['one', 'two', 'par']);
  });

  it('reads again after unsuspend', async () => {
    const { path, writer, dir } = await fifo();
    const kept = reader(dir, 'kept', path);
    writeSync(writer, 'one\n');
    await waitFor(async () => (await fileLines(kept.out)).length === 1, 'the first line', 5000);
    await kept.logs.suspend();
    writeSync(writer, 'two\n');
    await readerTurns();
    expect(await fileLines(kept.out)).toEqual(['one']);
    kept.logs.unsuspend();
    await waitFor(
      async () => (await fileLines(kept.out)).length === 2,
      'the line written while suspended',
      5000,
    );
    expect(await fileLines(kept.out)).toEqual(['one', 'two']);
  });
});

describe('createReadHandOver', () => {
  it('suspends every pipeline, and reads again 30 s later when the daemon was not ended', async () => {
    vi.useFakeTimers();
    try {
      const calls: string[] = [];
      const pipeline = (name: string) =>
        ({
          suspend: async () => void calls.push(`suspend ${name}`),
          unsuspend: () => void calls.push(`unsuspend ${name}`),
        }) as unknown as LogPipeline;
      const lines: string[] = [];
      const handOver = createReadHandOver(
        () => [pipeline('a'), pipeline('b')],
        (line) => lines.push(line),
      );
      expect(await handOver.handOver()).toEqual({ processes: 2 });
      expect(calls).toEqual(['suspend a', 'suspend b']);
      vi.advanceTimersByTime(HAND_OVER_GRACE_MS - 1);
      expect(calls).toHaveLength(2);
      vi.advanceTimersByTime(1);
      expect(calls.slice(2)).toEqual(['unsuspend a', 'unsuspend b']);
      expect(lines.at(-1)).toBe(
        'hand-over: not ended within 30 s, reading the output of 2 process(es) again',
      );
      handOver.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
