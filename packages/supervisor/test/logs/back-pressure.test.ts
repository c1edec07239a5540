import { writev } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WritevFunction } from '../../src/logs/index.js';
import { exited, fileLines, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** Checks the file holds `line 1 <pad>` … `line <count> <pad>` in order, without loading it as one string. */
async function checkNumberedFile(path: string, count: number, pad: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    let expected = 1;
    let carry = '';
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const lines = (carry + buffer.toString('latin1', 0, bytesRead)).split('\n');
      carry = lines.pop()!;
      for (const line of lines) {
        if (line !== `line ${expected} ${pad}`) return `line ${expected}: got ${line.slice(0, 60)}`;
        expected += 1;
      }
    }
    if (carry !== '') return `trailing partial line ${carry.slice(0, 60)}`;
    return expected === count + 1 ? null : `only ${expected - 1} of ${count} lines`;
  } finally {
    await handle.close();
  }
}

describe('back-pressure', () => {
  it('keeps the queue bounded when the disk is slower than a 50 MB writer, and loses nothing', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const highWater = 256 * 1024;
    let writes = 0;
    const slowDisk: WritevFunction = (fd, buffers, callback) => {
      writes += 1;
      setTimeout(() => writev(fd, buffers, callback), 10);
    };
    const logs = harness.pipeline({
      id: 1,
      name: 'flood',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      writeHighWaterBytes: highWater,
      writev: slowDisk,
    });
    const count = 400_000;
    const pad = 'x'.repeat(120);
    const child = harness.spawn('chatty.js', { COUNT: String(count), RATE: '0', PAD: '120' });
    harness.capture(logs, child);
    let maxQueued = 0;
    const sampler = setInterval(() => {
      maxQueued = Math.max(maxQueued, logs.counters().queuedBytes ?? 0);
    }, 5);
    try {
      await exited(child);
      await logs.drained();
    } finally {
      clearInterval(sampler);
    }

    const counters = logs.counters();
    const totalBytes = counters.bytes;
    expect(totalBytes).toBeGreaterThan(50_000_000);
    // One pipe read (at most 64 KiB) can land after the high-water mark is reached, not more.
    expect(counters.peakQueuedBytes).toBeLessThanOrEqual(highWater + 64 * 1024 + 256);
    expect(counters.peakQueuedBytes).toBeGreaterThanOrEqual(highWater);
    expect(maxQueued).toBeLessThanOrEqual(counters.peakQueuedBytes!);
    expect(writes).toBeGreaterThanOrEqual(Math.floor(totalBytes / (highWater + 64 * 1024 + 256)));
    expect(counters).toMatchObject({ out: count, dropped: 0, queuedBytes: 0 });
    expect(await checkNumberedFile(outPath, count, pad)).toBeNull();
  }, 180_000);

  it('counts the lines of a failed write as dropped and reports the error', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errors: string[] = [];
    let calls = 0;
    const failingOnce: WritevFunction = (fd, buffers, callback) => {
      calls += 1;
      if (calls === 1) {
        const error: NodeJS.ErrnoException = Object.assign(new Error('EIO: i/o error, write'), {
          code: 'EIO',
        });
        setImmediate(() => callback(error, 0));
        return;
      }
      writev(fd, buffers, callback);
    };
    const logs = harness.pipeline({
      id: 2,
      name: 'failing',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      writev: failingOnce,
      onError: (error) => errors.push(`${error.code}: ${error.message}`),
    });
    // more than one read of the pipe holds (64 KiB): 5000 lines (49 KB) could all be in the first read,
    // hence in the failed write, with no line left to be written after it
    const child = harness.spawn('chatty.js', { COUNT: '20000', RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();

    const { dropped, out } = logs.counters();
    const lines = await fileLines(outPath);
    expect(out).toBe(20000);
    expect(dropped).toBeGreaterThan(0);
    expect(lines.length + dropped).toBe(20000);
    expect(lines.at(-1)).toBe('line 20000');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(`^IO_ERROR: writing .*out\\.log failed, ${dropped} lines lost: EIO`),
    );
  });
});
