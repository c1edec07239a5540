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
  it('writes the batches queued in one task with one writev, as one buffer', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const { writer, calls } = countingWriter(path);
    writer.write(Buffer.from('one\n'), 'out', 1);
    writer.write(Buffer.from('two\nthree\n'), 'out', 2);
    await writer.settled();
    expect(calls).toEqual([1]);
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('keeps a copy of what it is given: the caller may reuse its buffer at once', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const { writer } = countingWriter(path);
    const reused = Buffer.alloc(200_000);
    const expected: string[] = [];
    for (let i = 0; i < 300; i += 1) {
      // sizes around the block size and above half of it (a copy of its own)
      const text = `${i} ${'x'.repeat((i * 7919) % (i % 10 === 0 ? 190_000 : 9000))}\n`;
      const length = reused.write(text);
      writer.write(reused.subarray(0, length), 'out', 1);
      reused.fill(0x21);
      expected.push(text);
      if (i % 50 === 0) await writer.settled();
    }
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe(expected.join(''));
    expect(writer.position()).toMatchObject({ acceptedLines: 300, settledLines: 300 });
  });

  it('writes a held buffer as it is and releases it once written, failed or discarded', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    let failNext = false;
    const writer = new FileWriter({
      path,
      highWaterBytes: 1 << 20,
      writev: (fd, buffers, callback) => {
        if (!failNext) return writev(fd, buffers, callback);
        failNext = false;
        callback(Object.assign(new Error('disk full'), { code: 'ENOSPC' }), 0);
      },
      onError: () => undefined,
    });
    writers.push(writer);
    let holds = 0;
    const holder = { hold: () => (holds += 1), release: () => (holds -= 1) };
    const memory = Buffer.from('one\ntwo\nthree\n');
    writer.write(memory.subarray(0, 4), 'out', 1, Date.now(), holder);
    writer.write(memory.subarray(4), 'out', 2, Date.now(), holder);
    expect(holds).toBe(2);
    await writer.settled();
    expect(holds).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\nthree\n');
    failNext = true;
    writer.write(memory.subarray(0, 4), 'out', 1, Date.now(), holder);
    await writer.settled();
    expect(holds).toBe(0);
    expect(writer.droppedLines).toBe(1);
    writer.write(memory.subarray(0, 4), 'out', 1, Date.now(), holder);
    await writer.truncate();
    expect(holds).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('');
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
