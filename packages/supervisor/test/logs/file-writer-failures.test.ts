import { ftruncate, writev } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTimeIndex } from '../../src/log-insights/time-lookup.js';
import {
  FileWriter,
  type FtruncateFunction,
  MOVED_CHECK_MS,
  type WritevFunction,
} from '../../src/logs/file-writer.js';
import type { LogPipeline } from '../../src/logs/index.js';
import { exited, fileLines, Harness } from './helpers.js';

const harness = new Harness();
const writers: FileWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
  await harness.cleanup();
});

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

/** `out.log` in a new directory `app` of the harness (the tests remove or replace that directory). */
async function appLogFile(): Promise<{ dir: string; path: string }> {
  const dir = join(await harness.dir(), 'app');
  await mkdir(dir);
  return { dir, path: join(dir, 'out.log') };
}
const MINUTE_MS = 60_000;

function diskFull(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/**
 * A disk that fills up in the middle of a write: once `tearAt` is set, the next write puts that many
 * bytes of its batch in the file and reports them, and every write after it (the retry of the rest
 * included) fails with ENOSPC until `isFull` is cleared.
 */
class TearingDisk {
  tearAt = -1;
  isFull = false;
  readonly writev: WritevFunction = (fd, buffers, callback) => {
    if (this.isFull) {
      setImmediate(() => callback(diskFull(), 0));
      return;
    }
    if (this.tearAt < 0) {
      writev(fd, buffers, callback);
      return;
    }
    const head = Buffer.concat(buffers).subarray(0, this.tearAt);
    this.tearAt = -1;
    this.isFull = true;
    writev(fd, [head], callback);
  };
}

function tornWriter(
  path: string,
  disk: TearingDisk,
  errors: string[],
  ftruncateFn?: FtruncateFunction,
): FileWriter {
  const writer = new FileWriter({
    path,
    highWaterBytes: 1 << 20,
    writev: disk.writev,
    ...(ftruncateFn ? { ftruncate: ftruncateFn } : {}),
    onError: (error) => errors.push(`${error.code}: ${error.message}`),
  });
  writers.push(writer);
  return writer;
}

/** Writes each line as a batch of its own, all in one task (so they go out in one writev). */
function writeLines(writer: FileWriter, lines: string[], ts: number): void {
  lines.forEach((line, i) => {
    writer.write(Buffer.from(`${line}\n`), 'out', 1, ts + i * MINUTE_MS);
  });
}

/** Fails when an offset of the time index beside `path` is not the start of a line of `text`. */
async function expectIndexAtLineStarts(writer: FileWriter, path: string, text: string): Promise<number[]> {
  writer.flushTimeIndex();
  const offsets = [...(await readTimeIndex(path)).offsets];
  expect(offsets.length).toBeGreaterThan(0);
  for (const offset of offsets) {
    expect(offset).toBeLessThanOrEqual(text.length);
    if (offset > 0) expect(text[offset - 1], `offset ${offset}`).toBe('\n');
  }
  return offsets;
}

describe('FileWriter on a disk that fills up in the middle of a write', () => {
  it('keeps the lines written whole, cuts the torn one off and writes the next lines after it', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const disk = new TearingDisk();
    const errors: string[] = [];
    const writer = tornWriter(path, disk, errors);
    writeLines(writer, ['a1', 'a2 alpha'], T0);
    await writer.settled();
    // the batch b1 b2 b3 reaches the file up to "b2 c", then the disk is full
    disk.tearAt = 'b1 bravo\nb2 c'.length;
    writeLines(writer, ['b1 bravo', 'b2 charlie', 'b3 delta'], T0 + 2 * MINUTE_MS);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('a1\na2 alpha\nb1 bravo\n');
    expect(writer.droppedLines).toBe(2);
    expect(errors).toEqual([
      `IO_ERROR: writing ${path} failed, 2 lines lost: ENOSPC: no space left on device, write`,
    ]);

    disk.isFull = false;
    writeLines(writer, ['c1 echo', 'c2 foxtrot'], T0 + 10 * MINUTE_MS);
    await writer.settled();
    const text = await readFile(path, 'utf8');
    expect(text).toBe('a1\na2 alpha\nb1 bravo\nc1 echo\nc2 foxtrot\n');
    expect(writer.position()).toEqual({
      endOffset: (await stat(path)).size,
      written: { out: 5, err: 0 },
      inFile: { out: 5, err: 0 },
      previous: null,
      earlier: [],
      forgotten: [],
      earlierIn: null,
      acceptedLines: 7,
      settledLines: 7,
      // b2 and b3 (sequence numbers 3 and 4) are lost: the file holds every line from 5 on
      writtenFrom: 5,
    });
    expect(writer.droppedLines).toBe(2);
    const offsets = await expectIndexAtLineStarts(writer, path, text);
    expect(offsets).toContain(text.indexOf('b1 bravo'));
    expect(offsets).toContain(text.indexOf('c1 echo'));
    expect(offsets).toContain(text.indexOf('c2 foxtrot'));
  });

  it('counts the lines before a tear in another buffer of the batch as written', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const disk = new TearingDisk();
    const errors: string[] = [];
    const writer = tornWriter(path, disk, errors);
    // one buffer of three lines, torn in its third line
    disk.tearAt = 'one\ntwo\nth'.length;
    writer.write(Buffer.from('one\ntwo\nthree\n'), 'err', 3, T0);
    writer.write(Buffer.from('four\n'), 'err', 1, T0);
    await writer.settled();
    disk.isFull = false;
    writer.write(Buffer.from('five\n'), 'err', 1, T0 + MINUTE_MS);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\nfive\n');
    expect(writer.position()).toMatchObject({ written: { out: 0, err: 3 }, inFile: { out: 0, err: 3 } });
    expect(writer.droppedLines).toBe(2);
    expect(errors).toEqual([expect.stringContaining('failed, 2 lines lost: ENOSPC')]);
  });

  it('ends the torn line with the next write when it cannot be cut off, and keeps its books right', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const disk = new TearingDisk();
    const errors: string[] = [];
    let cuts = 0;
    const failingCut: FtruncateFunction = (fd, length, callback) => {
      if (length === 0) return ftruncate(fd, length, callback);
      cuts += 1;
      setImmediate(() => callback(Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' })));
    };
    const writer = tornWriter(path, disk, errors, failingCut);
    writeLines(writer, ['a1', 'a2 alpha'], T0);
    await writer.settled();
    disk.tearAt = 'b1 bravo\nb2 c'.length;
    writeLines(writer, ['b1 bravo', 'b2 charlie', 'b3 delta'], T0 + 2 * MINUTE_MS);
    await writer.settled();
    expect(cuts).toBe(1);
    // still full: the newline that ends the torn line fails with the next batch, which is lost
    writeLines(writer, ['x1 lost'], T0 + 6 * MINUTE_MS);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('a1\na2 alpha\nb1 bravo\nb2 c');
    expect(writer.position().endOffset).toBe((await stat(path)).size);

    disk.isFull = false;
    writeLines(writer, ['c1 echo', 'c2 foxtrot'], T0 + 10 * MINUTE_MS);
    await writer.settled();
    const text = await readFile(path, 'utf8');
    expect(text).toBe('a1\na2 alpha\nb1 bravo\nb2 c\nc1 echo\nc2 foxtrot\n');
    expect(writer.position()).toMatchObject({
      endOffset: (await stat(path)).size,
      written: { out: 5, err: 0 },
      inFile: { out: 5, err: 0 },
      acceptedLines: 8,
      settledLines: 8,
      writtenFrom: 6,
    });
    expect(writer.droppedLines).toBe(3);
    expect(errors).toEqual([
      expect.stringContaining('failed, 2 lines lost: ENOSPC'),
      expect.stringContaining('failed, 1 line lost: ENOSPC'),
    ]);
    const offsets = await expectIndexAtLineStarts(writer, path, text);
    expect(offsets).toContain(text.indexOf('c1 echo'));
  });

  it('starts the file a rotation opens without the newline owed to a torn line of the old one', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const disk = new TearingDisk();
    const errors: string[] = [];
    const failingCut: FtruncateFunction = (_fd, _length, callback) => {
      setImmediate(() => callback(Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' })));
    };
    const writer = tornWriter(path, disk, errors, failingCut);
    disk.tearAt = 'a1\na'.length;
    writeLines(writer, ['a1', 'a2 alpha'], T0);
    await writer.settled();
    disk.isFull = false;
    const rotated = await writer.rotate();
    expect(rotated).not.toBeNull();
    writeLines(writer, ['c1 echo'], T0 + MINUTE_MS);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('c1 echo\n');
    expect(writer.position()).toMatchObject({
      endOffset: 'c1 echo\n'.length,
      inFile: { out: 1, err: 0 },
      previous: { path: rotated, lines: { out: 1, err: 0 } },
    });
  });
});

describe('log pipeline on a disk that fills up in the middle of a write', () => {
  it('keeps whole lines in the file, counts the lost ones and tails the file right', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errors: string[] = [];
    let calls = 0;
    let isFull = false;
    // the 5th write puts half its batch in the file (in the middle of a line), then the disk is full
    // for the retry of the rest; later writes succeed
    const disk: WritevFunction = (fd, buffers, callback) => {
      calls += 1;
      if (isFull) {
        isFull = false;
        setImmediate(() => callback(diskFull(), 0));
        return;
      }
      if (calls !== 5) {
        writev(fd, buffers, callback);
        return;
      }
      const data = Buffer.concat(buffers);
      let tearAt = Math.floor(data.length / 2);
      if (data[tearAt - 1] === 0x0a) tearAt -= 1;
      isFull = true;
      writev(fd, [data.subarray(0, tearAt)], callback);
    };
    const logs = harness.pipeline({
      id: 1,
      name: 'torn',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      ringLines: 20,
      writev: disk,
      onError: (error) => errors.push(`${error.code}: ${error.message}`),
    });
    const child = harness.spawn('chatty.js', { COUNT: '300', RATE: '300' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();

    expect(calls).toBeGreaterThan(6);
    const lines = await fileLines(outPath);
    const numbers = lines.map((line) => Number(/^line (\d+)$/.exec(line)?.[1] ?? Number.NaN));
    expect(lines.filter((_, i) => Number.isNaN(numbers[i]!))).toEqual([]);
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true);
    expect(lines.at(-1)).toBe('line 300');
    const { out, dropped } = logs.counters();
    expect(out).toBe(300);
    expect(dropped).toBeGreaterThan(0);
    expect(lines.length + dropped).toBe(300);
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(`^IO_ERROR: writing .*out\\.log failed, ${dropped} lines lost: ENOSPC`),
      ),
    ]);
    const tail = await logs.tail({ lines: 300, stream: 'out' });
    expect(tail.map((line) => line.line)).toEqual(lines);
  });
});

describe('a tail over lines that failed writes lost', () => {
  /** A pipeline on `disk` whose ring keeps the last `ringLines` lines; `note` writes lines and waits for them. */
  async function lossyLogs(disk: TearingDisk, ringLines: number) {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errors: string[] = [];
    const logs = harness.pipeline({
      id: 1,
      name: 'lossy',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      ringLines,
      writev: disk.writev,
      onError: (error) => errors.push(error.message),
    });
    const note = async (...lines: string[]) => {
      for (const line of lines) logs.note('out', line);
      await logs.drained();
    };
    return { logs, outPath, errors, note };
  }

  /** Fails unless a tail of every length gives the newest lines of the file, in order, none skipped. */
  async function expectTailsOfFile(logs: LogPipeline, outPath: string): Promise<void> {
    const inFile = await fileLines(outPath);
    for (let count = inFile.length + 1; count >= 1; count -= 1) {
      const tail = await logs.tail({ lines: count, stream: 'out' });
      expect(
        tail.map((line) => line.line),
        `tail of ${count}`,
      ).toEqual(inFile.slice(-count));
    }
  }

  it('returns the newest lines in the file when the ring reaches back over the lost ones', async () => {
    const disk = new TearingDisk();
    const { logs, outPath, errors, note } = await lossyLogs(disk, 4);
    await note('l1', 'l2', 'l3', 'l4', 'l5');
    disk.isFull = true;
    await note('lost 1', 'lost 2');
    disk.isFull = false;
    await note('l6', 'l7');
    expect(await fileLines(outPath)).toEqual(['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7']);
    // the ring holds lost 1, lost 2, l6, l7: two of them are not in the file
    expect(logs.counters().dropped).toBe(2);
    expect(errors).toEqual([expect.stringContaining('failed, 2 lines lost: ENOSPC')]);
    await expectTailsOfFile(logs, outPath);
  });

  it('returns the newest lines in the file after a write torn inside a batch of several lines', async () => {
    const disk = new TearingDisk();
    const { logs, outPath, note } = await lossyLogs(disk, 6);
    await note('l1', 'l2', 'l3', 'l4', 'l5');
    // one note of two batches (t1 t2, then t3), torn inside t2: t1 is kept
    disk.tearAt = 't1\nt'.length;
    await note('t1\nt2\nt3');
    await note('lost');
    disk.isFull = false;
    await note('l6', 'l7');
    expect(await fileLines(outPath)).toEqual(['l1', 'l2', 'l3', 'l4', 'l5', 't1', 'l6', 'l7']);
    expect(logs.counters().dropped).toBe(3);
    await expectTailsOfFile(logs, outPath);
  });
});

describe('a log file found ending inside a line', () => {
  it('starts its first line on a line of its own, and after a reopen onto such a file', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'app-out.log');
    await writeFile(path, 'old\nkilled mid-wri');
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20 });
    writers.push(writer);
    writer.write(Buffer.from('first\n'), 'out', 1, T0);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('old\nkilled mid-wri\nfirst\n');
    expect(writer.position().endOffset).toBe((await stat(path)).size);
    // a file moved in under the same name, ending inside a line too
    await writeFile(join(dir, 'other.log'), 'copied wi');
    await rename(join(dir, 'other.log'), path);
    await writer.reopen();
    writer.write(Buffer.from('second\n'), 'out', 1, T0);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('copied wi\nsecond\n');
    expect(writer.position().endOffset).toBe((await stat(path)).size);
  });

  it('writes nothing extra to a file that ends with a newline or is empty', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    await writeFile(path, 'old\n');
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20 });
    writers.push(writer);
    writer.write(Buffer.from('first\n'), 'out', 1, T0);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('old\nfirst\n');
  });
});

describe('a reopen (velos reloadLogs) after the log directory went away', () => {
  it('makes the directory again and writes to a new file there', async () => {
    const { dir, path } = await appLogFile();
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20 });
    writers.push(writer);
    writer.write(Buffer.from('first\n'), 'out', 1, T0);
    await writer.settled();
    await rm(dir, { recursive: true });
    // the defect: ENOENT, the lines went on to the deleted file and the reload said nothing of it
    expect(await writer.reopen()).toBe(path);
    writer.write(Buffer.from('second\n'), 'out', 1, T0);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('second\n');
  });

  it('makes it again with the permissions it had (the Velos home keeps its logs at 0700)', async () => {
    const { dir, path } = await appLogFile();
    await chmod(dir, 0o700);
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20 });
    writers.push(writer);
    await rm(dir, { recursive: true });
    expect(await writer.reopen()).toBe(path);
    // the defect: made with mkdir's default mode, 0755 under the usual umask: every user could list the app's log files
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('rejects naming the file when it cannot be opened, and goes on writing to the old one', async () => {
    const { dir, path } = await appLogFile();
    const errors: Error[] = [];
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20, onError: (error) => errors.push(error) });
    writers.push(writer);
    await rm(dir, { recursive: true });
    await writeFile(dir, 'a file where the directory was\n');
    await expect(writer.reopen()).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringMatching(/^reopen of .*out\.log failed: ENOTDIR/),
    });
    expect(errors).toHaveLength(1);
    writer.write(Buffer.from('kept\n'), 'out', 1, T0);
    await writer.settled();
    expect(writer.droppedLines).toBe(0);
  });
});

describe('a size rotation after the log file went away', () => {
  it('starts a new file at the path (its directory made again) instead of writing on to the deleted one', async () => {
    const { dir, path } = await appLogFile();
    const errors: Error[] = [];
    const writer = new FileWriter({
      path,
      highWaterBytes: 1 << 20,
      rotation: { maxBytes: 1024, compress: false },
      onError: (error) => errors.push(error),
    });
    writers.push(writer);
    writer.write(Buffer.from(`${'a'.repeat(999)}\n`), 'out', 1, T0);
    await writer.settled();
    await rm(dir, { recursive: true });
    writer.write(Buffer.from(`${'b'.repeat(99)}\n`), 'out', 1, T0);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe(`${'b'.repeat(99)}\n`);
    expect(errors).toEqual([]);
  });
});

describe('a writer that writes on after its file went away (no restart, no reloadLogs)', () => {
  it('opens the path anew within MOVED_CHECK_MS of the lines after `rm -rf logs/`', async () => {
    const { dir, path } = await appLogFile();
    const errors: Error[] = [];
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20, onError: (error) => errors.push(error) });
    writers.push(writer);
    writer.write(Buffer.from('first\n'), 'out', 1, T0);
    await writer.settled();
    await rm(dir, { recursive: true });
    // checked at most once a second (by the lines' arrival): until then lines go to the deleted file
    writer.write(Buffer.from('lost\n'), 'out', 1, T0 + MOVED_CHECK_MS - 1);
    await writer.settled();
    writer.write(Buffer.from('second\n'), 'out', 1, T0 + MOVED_CHECK_MS);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('second\n');
    expect(writer.droppedLines).toBe(0);
    expect(errors).toEqual([]);
  });

  it('moves to a new file when the file was renamed away (logrotate without copytruncate or postrotate)', async () => {
    const path = join(await harness.dir(), 'out.log');
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20 });
    writers.push(writer);
    writer.write(Buffer.from('old\n'), 'out', 1, T0);
    await writer.settled();
    await rename(path, `${path}.1`);
    await writeFile(path, ''); // logrotate's `create`
    writer.write(Buffer.from('new\n'), 'out', 1, T0 + MOVED_CHECK_MS);
    await writer.settled();
    expect(await readFile(`${path}.1`, 'utf8')).toBe('old\n');
    expect(await readFile(path, 'utf8')).toBe('new\n');
    expect(writer.position().inFile).toEqual({ out: 1, err: 0 });
  });

  it('tries a reopen that fails again a minute later, not at each write, and writes on to the old file', async () => {
    const { dir, path } = await appLogFile();
    const errors: string[] = [];
    const writer = new FileWriter({
      path,
      highWaterBytes: 1 << 20,
      onError: (error) => errors.push(error.message),
    });
    writers.push(writer);
    writer.write(Buffer.from('first\n'), 'out', 1, T0);
    await writer.settled();
    await rm(dir, { recursive: true });
    await writeFile(dir, 'a file where the directory was\n');
    for (const at of [1, 5, 30, 59].map((s) => T0 + s * 1000)) {
      writer.write(Buffer.from('line\n'), 'out', 1, at);
      await writer.settled();
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^reopen of .*out\.log failed: ENOTDIR/);
    writer.write(Buffer.from('line\n'), 'out', 1, T0 + 61_000);
    await writer.settled();
    expect(errors).toHaveLength(2);
    expect(writer.droppedLines).toBe(0);
  });
});
