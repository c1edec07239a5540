import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogPipeline } from '../../src/logs/index.js';
import { exited, fileLines, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('log pipeline', () => {
  it('delivers live lines in batches until unsubscribed', async () => {
    const dir = await harness.dir();
    const logs = harness.pipeline({
      id: 7,
      name: 'live',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const batches: LogLine[][] = [];
    const unsubscribe = logs.subscribe((batch) => batches.push(batch));
    const child = harness.spawn('chatty.js', { COUNT: '20000', RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    await waitFor(() => batches.flat().length >= 20000, '20000 live lines');

    const lines = batches.flat();
    expect(lines.map((line) => line.line)).toEqual(Array.from({ length: 20000 }, (_, i) => `line ${i + 1}`));
    expect(lines.every((line) => line.id === 7 && line.name === 'live' && line.stream === 'out')).toBe(true);
    expect(lines.every((line) => line.pid === child.pid)).toBe(true);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThan(2000);

    unsubscribe();
    const other: LogLine[] = [];
    logs.subscribe((batch) => other.push(...batch));
    logs.note('err', 'after unsubscribe');
    await waitFor(() => other.length === 1, 'the note on the remaining subscriber');
    expect(other[0]).toMatchObject({ line: 'after unsubscribe', stream: 'err', pid: null });
    expect(batches.flat()).toHaveLength(20000);
  });

  it('counts lines and bytes per stream, notes included, and follows a new run', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errPath = join(dir, 'err.log');
    const logs = harness.pipeline({ id: 8, name: 'runs', outPath, errPath, format: 'plain' });
    const first = harness.spawn('chatty.js', { COUNT: '300', RATE: '0' });
    harness.capture(logs, first);
    await exited(first);
    logs.note('err', 'spawn failed: ENOENT\nsecond line of the note');
    const second = harness.spawn('chatty.js', { COUNT: '40', RATE: '0', STREAM: 'err' });
    harness.capture(logs, second);
    await exited(second);
    await logs.drained();

    const sizes = (await stat(outPath)).size + (await stat(errPath)).size;
    expect(logs.counters()).toMatchObject({ out: 300, err: 42, dropped: 0, bytes: sizes, queuedBytes: 0 });
    const errLines = await fileLines(errPath);
    expect(errLines.slice(0, 2)).toEqual(['spawn failed: ENOENT', 'second line of the note']);
    expect(errLines).toHaveLength(42);
    const tail = await logs.tail({ lines: 3, stream: 'err' });
    expect(tail.map((line) => line.pid)).toEqual([second.pid, second.pid, second.pid]);
    const all = await logs.tail({ lines: 400, stream: 'all' });
    expect(new Set(all.map((line) => line.pid))).toEqual(new Set([first.pid, null, second.pid]));
  });

  it('close writes the partial line of a running child and refuses new work', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 9,
      name: 'close',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const child = harness.spawn('long-line.js', { LONG_BYTES: '10', STAY: '1' });
    harness.capture(logs, child);
    await waitFor(() => logs.counters().out === 2, 'two complete lines');
    await waitFor(() => logs.tail({ lines: 1, stream: 'out' }).then((lines) => lines.length === 1), 'a tail');

    await logs.close();
    expect(await readFile(outPath, 'utf8')).toBe(
      `short line\nlong:${'y'.repeat(10)}:end\npartial final line\n`,
    );
    expect(() => logs.note('out', 'too late')).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(child.exitCode).toBeNull();
  });

  it('creates the files with mode 0640 and appends to existing ones', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errPath = join(dir, 'err.log');
    const first = harness.pipeline({ id: 10, name: 'mode', outPath, errPath, format: 'plain' });
    first.note('out', 'one');
    await first.close();
    const second = harness.pipeline({ id: 10, name: 'mode', outPath, errPath, format: 'plain' });
    second.note('out', 'two');
    await second.drained();

    expect((await stat(outPath)).mode & 0o777).toBe(0o640 & ~process.umask());
    expect((await stat(errPath)).mode & 0o777).toBe(0o640 & ~process.umask());
    expect(await readFile(outPath, 'utf8')).toBe('one\ntwo\n');
  });

  it('throws INVALID_ARGUMENT when a log file cannot be opened at its path', async () => {
    const dir = await harness.dir();
    const missing = join(dir, 'no-such-dir', 'out.log');
    expect(() =>
      createLogPipeline({ id: 11, name: 'bad', outPath: missing, errPath: missing, format: 'plain' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
