import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWriter } from '../../src/logs/file-writer.js';
import { TIME_INDEX_ENTRY_BYTES, timeIndexPath } from '../../src/logs/time-index.js';
import { Harness } from './helpers.js';

const harness = new Harness();
const writers: FileWriter[] = [];
const fds: number[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
  for (const fd of fds.splice(0)) closeSync(fd);
  await harness.cleanup();
});

/** A FIFO in a temp directory with a reader kept open, so that a writer can open it: the stand-in for /dev/null. */
async function fifoWithReader(): Promise<{ dir: string; path: string; reader: number }> {
  const dir = await harness.dir();
  const path = join(dir, 'app-out.log');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  fds.push(reader);
  return { dir, path, reader };
}

function readAll(fd: number): string {
  const buffer = Buffer.alloc(1 << 16);
  try {
    return buffer.subarray(0, readSync(fd, buffer)).toString('utf8');
  } catch {
    return '';
  }
}

// PM2's docs drop a stream with `out_file: '/dev/null'`: renaming it by a rotation (as root) would
// replace the system's /dev/null with a plain file
describe('a log path that is a device or FIFO, not a file', () => {
  it('is written to, never renamed by size or requested rotation, and gets no .tidx beside it', async () => {
    const { dir, path, reader } = await fifoWithReader();
    const writer = new FileWriter({
      path,
      highWaterBytes: 1 << 20,
      rotation: { maxBytes: 64, retain: 10, compress: false },
    });
    writers.push(writer);
    for (let i = 0; i < 10; i += 1) writer.write(Buffer.from(`line ${i} ${'x'.repeat(20)}\n`), 'out', 1);
    await writer.settled();
    expect(await writer.rotate()).toBeNull();
    expect(readAll(reader)).toContain('line 9 ');
    expect(statSync(path).isFIFO()).toBe(true);
    writer.flushTimeIndex();
    expect(await readdir(dir)).toEqual(['app-out.log']);
  });

  it('is flushed without an error (there is nothing to empty)', async () => {
    const { path } = await fifoWithReader();
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20 });
    writers.push(writer);
    writer.write(Buffer.from('before\n'), 'out', 1);
    await writer.settled();
    await expect(writer.truncate()).resolves.toBeUndefined();
    expect(statSync(path).isFIFO()).toBe(true);
  });

  it("leaves the other stream's .tidx sparse: an app alternating streams gets no entry per line", async () => {
    const { dir, path } = await fifoWithReader();
    const errPath = join(dir, 'app-err.log');
    const logs = harness.pipeline({ id: 1, name: 'alt', outPath: path, errPath, format: 'plain' });
    const out = new PassThrough();
    const err = new PassThrough();
    logs.attach(out, 'out', 42);
    logs.attach(err, 'err', 42);
    // each line its own batch, every err batch after an out one: with a merged tail in mind these
    // would be runs of their own, but nothing merges a file with /dev/null
    for (let i = 0; i < 40; i += 1) {
      out.write(`out ${i}\n`);
      await nextTurn();
      err.write(`err ${i}\n`);
      await nextTurn();
    }
    out.end();
    err.end();
    await logs.drained();
    logs.flushTimeIndex();
    // the first batch's entry, and one more should a minute start meanwhile
    expect(statSync(timeIndexPath(errPath)).size).toBeLessThanOrEqual(2 * TIME_INDEX_ENTRY_BYTES);
  });
});
