import { writev } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WritevFunction } from '../../src/logs/index.js';
import { exited, fileLines, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

describe('tail', () => {
  it('answers from the ring, then from the file beyond it without gap or duplicate', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    await writeFile(outPath, 'from an earlier run 1\nfrom an earlier run 2\n');
    const logs = harness.pipeline({
      id: 1,
      name: 'tail',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      ringLines: 100,
    });
    const child = harness.spawn('chatty.js', { COUNT: '1000', RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();

    const lastFifty = await logs.tail({ lines: 50, stream: 'out' });
    expect(lastFifty.map((line) => line.line)).toEqual(numbered(951, 1000));
    expect(lastFifty.every((line) => line.pid === child.pid && line.id === 1 && line.name === 'tail')).toBe(
      true,
    );

    const beyond = await logs.tail({ lines: 500, stream: 'out' });
    expect(beyond.map((line) => line.line)).toEqual(numbered(501, 1000));
    // lines read back from a plain file have no pid, the ring's have
    expect(beyond.filter((line) => line.pid === null).length).toBeGreaterThanOrEqual(400);
    const times = beyond.map((line) => line.ts);
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const everything = await logs.tail({ lines: 5000, stream: 'all' });
    expect(everything.map((line) => line.line)).toEqual([
      'from an earlier run 1',
      'from an earlier run 2',
      ...numbered(1, 1000),
    ]);
    expect(await logs.tail({ lines: 10, stream: 'err' })).toEqual([]);
    expect(await logs.tail({ lines: 0, stream: 'all' })).toEqual([]);
  });

  it('does not look for ring lines in the file before they are written', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gatedDisk: WritevFunction = (fd, buffers, callback) => {
      held.then(() => writev(fd, buffers, callback));
    };
    const logs = harness.pipeline({
      id: 2,
      name: 'gated',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      ringLines: 100,
      writev: gatedDisk,
    });
    const child = harness.spawn('chatty.js', { COUNT: '300', RATE: '0' });
    harness.capture(logs, child);
    try {
      await exited(child);
      await waitFor(() => logs.counters().out === 300, '300 captured lines');
      expect((await stat(outPath)).size).toBe(0);
      const whileHeld = await logs.tail({ lines: 200, stream: 'out' });
      expect(whileHeld.map((line) => line.line)).toEqual(numbered(201, 300));
    } finally {
      release();
    }
    await logs.drained();
    const afterwards = await logs.tail({ lines: 200, stream: 'out' });
    expect(afterwards.map((line) => line.line)).toEqual(numbered(101, 300));
  });

  it('merges stdout and stderr of separate files by time', async () => {
    const dir = await harness.dir();
    const logs = harness.pipeline({
      id: 3,
      name: 'two',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
      dateFormat: 'iso',
      ringLines: 10,
    });
    const out = harness.spawn('chatty.js', { COUNT: '40', RATE: '100' });
    const err = harness.spawn('chatty.js', { COUNT: '40', RATE: '100', STREAM: 'err' });
    harness.capture(logs, out);
    harness.capture(logs, err);
    await Promise.all([exited(out), exited(err)]);
    await logs.drained();

    const all = await logs.tail({ lines: 80, stream: 'all' });
    expect(all).toHaveLength(80);
    const times = all.map((line) => line.ts);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const stream of ['out', 'err'] as const) {
      expect(all.filter((line) => line.stream === stream).map((line) => line.line)).toEqual(numbered(1, 40));
    }
    const lastTen = await logs.tail({ lines: 10, stream: 'all' });
    expect(lastTen).toEqual(all.slice(-10));
  });

  it('filters a merged JSON file by stream beyond the ring', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'merged.log');
    const logs = harness.pipeline({
      id: 4,
      name: 'mj',
      outPath: path,
      errPath: path,
      format: 'json',
      ringLines: 5,
    });
    const out = harness.spawn('chatty.js', { COUNT: '200', RATE: '0' });
    const err = harness.spawn('chatty.js', { COUNT: '50', RATE: '0', STREAM: 'err' });
    harness.capture(logs, out);
    harness.capture(logs, err);
    await Promise.all([exited(out), exited(err)]);
    await logs.drained();

    const errTail = await logs.tail({ lines: 100, stream: 'err' });
    expect(errTail.map((line) => line.line)).toEqual(numbered(1, 50));
    expect(errTail.every((line) => line.stream === 'err' && line.pid === err.pid)).toBe(true);
    const outTail = await logs.tail({ lines: 150, stream: 'out' });
    expect(outTail.map((line) => line.line)).toEqual(numbered(51, 200));
    expect(await logs.tail({ lines: 1000, stream: 'all' })).toHaveLength(250);
  });

  it('flush empties the files and the ring, and writing goes on at the start of the file', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errPath = join(dir, 'err.log');
    const logs = harness.pipeline({ id: 5, name: 'flush', outPath, errPath, format: 'plain', ringLines: 50 });
    const first = harness.spawn('chatty.js', { COUNT: '500', RATE: '0' });
    harness.capture(logs, first);
    logs.note('err', 'a note on stderr');
    await exited(first);
    await logs.drained();
    expect((await stat(outPath)).size).toBeGreaterThan(0);

    await logs.flush();
    expect((await stat(outPath)).size).toBe(0);
    expect((await stat(errPath)).size).toBe(0);
    expect(await logs.tail({ lines: 100, stream: 'all' })).toEqual([]);

    const second = harness.spawn('chatty.js', { COUNT: '120', RATE: '0' });
    harness.capture(logs, second);
    await exited(second);
    await logs.drained();
    expect(await readFile(outPath, 'utf8')).toBe(numbered(1, 120).join('\n') + '\n');
    const tail = await logs.tail({ lines: 1000, stream: 'out' });
    expect(tail.map((line) => line.line)).toEqual(numbered(1, 120));
    expect(tail.slice(-50).every((line) => line.pid === second.pid)).toBe(true);
    expect(logs.counters()).toMatchObject({ out: 620, err: 1 });
    expect(await fileLines(errPath)).toEqual([]);
  });
});
