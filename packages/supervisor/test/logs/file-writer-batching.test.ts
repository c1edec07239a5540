import { writev } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWriter, type WritevFunction } from '../../src/logs/file-writer.js';
import { Harness } from './helpers.js';

const harness = new Harness();
const writers: FileWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
  await harness.cleanup();
});

function countingWriter(path: string): { writer: FileWriter; calls: number[] } {
  const calls: number[] = [];
  const counting: WritevFunction = (fd, buffers, callback) => {
    calls.push(buffers.length);
    writev(fd, buffers, callback);
  };
  const writer = new FileWriter({ path, highWaterBytes: 1 << 20, writev: counting });
  writers.push(writer);
  return { writer, calls };
}

describe('FileWriter batching', () => {
  it('writes the batches queued in one task with one writev', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const { writer, calls } = countingWriter(path);
    writer.write(Buffer.from('one\n'), 'out', 1);
    writer.write(Buffer.from('two\nthree\n'), 'out', 2);
    await writer.settled();
    expect(calls).toEqual([2]);
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('writes what was queued before a rotation or a truncation into the file it was queued for', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const { writer } = countingWriter(path);
    writer.write(Buffer.from('before\n'), 'out', 1);
    const rotated = await writer.rotate();
    expect(rotated).not.toBeNull();
    expect(await readFile(rotated!, 'utf8')).toBe('before\n');
    writer.write(Buffer.from('after\n'), 'out', 1);
    await writer.truncate();
    writer.write(Buffer.from('last\n'), 'out', 1);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('last\n');
  });
});
