import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWriter } from '../../src/logs/file-writer.js';
import { checkCronExpression, listRotated, rotatedPath } from '../../src/logs/index.js';
import type { LogPipeline } from '../../src/logs/log-pipeline.js';
import { exited, fileLines, Harness, waitFor } from './helpers.js';

const harness = new Harness();
const writers: FileWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
  await harness.cleanup();
});

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

/** The lines of every rotated file of `path` (oldest first, gunzipped), then of `path` itself. */
async function allLines(path: string): Promise<{ lines: string[]; files: number }> {
  const rotated = (await listRotated(path)).reverse();
  const lines: string[] = [];
  for (const file of rotated) {
    const data = await readFile(file.path);
    const text = (file.isCompressed ? gunzipSync(data) : data).toString('utf8');
    lines.push(...text.split('\n').slice(0, -1));
  }
  lines.push(...(await fileLines(path)));
  return { lines, files: rotated.length };
}

/**
 * Two chatty.js writers of `count` lines each (padded `x` and `xx`) captured by `first` and `second`,
 * which write `path`: every line of each is there once, in order, across more than five rotated files.
 */
async function expectBothWhole(
  first: LogPipeline,
  second: LogPipeline,
  path: string,
  count: number,
): Promise<void> {
  const a = harness.spawn('chatty.js', { COUNT: String(count), RATE: '5000', PAD: '1' });
  const b = harness.spawn('chatty.js', { COUNT: String(count), RATE: '5000', PAD: '2' });
  harness.capture(first, a);
  harness.capture(second, b);
  await Promise.all([exited(a), exited(b)]);
  await Promise.all([first.drained(), second.drained()]);
  await first.close();
  await second.close();
  const { lines, files } = await allLines(path);
  expect(files).toBeGreaterThan(5);
  const of = (pad: string) =>
    lines.filter((line) => line.endsWith(` ${pad}`)).map((line) => line.split(' ')[1]);
  const expected = numbered(1, count).map((line) => line.split(' ')[1]);
  expect(of('x')).toEqual(expected);
  expect(of('xx')).toEqual(expected);
}

/** Numbers of `line N` lines that are missing from or repeated in `lines`, for 1..count. */
function missingOrRepeated(lines: readonly string[], count: number): { missing: number; repeated: number } {
  const seen = new Uint8Array(count + 1);
  let repeated = 0;
  for (const line of lines) {
    const n = Number(/^line (\d+)/.exec(line)?.[1]);
    if (!(n >= 1 && n <= count)) continue;
    if (seen[n]) repeated += 1;
    seen[n] = 1;
  }
  let missing = 0;
  for (let n = 1; n <= count; n += 1) if (!seen[n]) missing += 1;
  return { missing, repeated };
}

describe('log rotation', () => {
  it('rotates by size under a 100k lines/s writer: every line present exactly once, gzip valid', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'chatty-out.log');
    // 1.5 s of a 100k lines/s writer (1.9 MB) rotate 14 times at 128 KiB
    const maxBytes = 128 * 1024;
    const logs = harness.pipeline({
      id: 1,
      name: 'chatty',
      outPath,
      errPath: join(dir, 'chatty-err.log'),
      format: 'plain',
      rotation: { maxBytes, retain: 1000, compress: true },
    });
    const count = 150_000;
    const child = harness.spawn('chatty.js', { COUNT: String(count), RATE: '100000' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    await logs.close();

    const rotated = await listRotated(outPath);
    const { lines, files } = await allLines(outPath);
    expect(files).toBeGreaterThanOrEqual(10);
    expect(rotated.every((file) => file.isCompressed)).toBe(true);
    expect(lines).toEqual(numbered(1, count));
    for (const file of rotated) {
      expect(gunzipSync(await readFile(file.path)).length).toBeLessThanOrEqual(maxBytes);
    }
    expect((await stat(outPath)).size).toBeLessThanOrEqual(maxBytes);
    expect(logs.counters()).toMatchObject({ out: count, dropped: 0 });
  }, 120_000);

  it('keeps only the newest `retain` rotated files, and they hold the newest lines', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 2,
      name: 'retain',
      outPath,
      errPath: outPath,
      format: 'plain',
      rotation: { maxBytes: 4096, retain: 3, compress: true },
    });
    const count = 20_000;
    const child = harness.spawn('chatty.js', { COUNT: String(count), RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    await logs.close();

    const rotated = await listRotated(outPath);
    expect(rotated).toHaveLength(3);
    const { lines } = await allLines(outPath);
    const first = Number(/^line (\d+)$/.exec(lines[0] ?? '')?.[1]);
    expect(first).toBeGreaterThan(1);
    expect(lines).toEqual(numbered(first, count));
  }, 60_000);

  it('rotates on a cron schedule (every second), never loses a line, and leaves an empty file alone', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 3,
      name: 'cron',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      rotation: { cron: '* * * * * *', retain: 100, compress: false },
    });
    const count = 1500;
    const child = harness.spawn('chatty.js', { COUNT: String(count), RATE: '500' });
    harness.capture(logs, child);
    await waitFor(async () => (await listRotated(outPath)).length >= 2, 'two cron rotations');
    await exited(child);
    await logs.drained();
    await logs.close();

    const { lines } = await allLines(outPath);
    expect(missingOrRepeated(lines, count)).toEqual({ missing: 0, repeated: 0 });
    expect(lines).toEqual(numbered(1, count));
    // err.log stayed empty all along: the cron never rotated it
    expect(await listRotated(join(dir, 'err.log'))).toEqual([]);
  }, 60_000);

  it('reopens by path after an external rename: the moved file stops growing, no line is lost', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const movedPath = join(dir, 'out.log.moved');
    const logs = harness.pipeline({ id: 4, name: 'reopen', outPath, errPath: outPath, format: 'plain' });
    const count = 4000;
    const child = harness.spawn('chatty.js', { COUNT: String(count), RATE: '4000' });
    harness.capture(logs, child);
    await waitFor(async () => (await stat(outPath)).size > 1000, 'the first lines');
    await rename(outPath, movedPath);
    expect(await logs.reopen()).toEqual([outPath]);
    const movedSize = (await stat(movedPath)).size;
    await waitFor(async () => (await stat(outPath).catch(() => null))?.size, 'lines in the new file');
    await exited(child);
    await logs.drained();

    expect((await stat(movedPath)).size).toBe(movedSize);
    const moved = await fileLines(movedPath);
    const fresh = await fileLines(outPath);
    expect(moved.length).toBeGreaterThan(0);
    expect(fresh.length).toBeGreaterThan(0);
    expect([...moved, ...fresh]).toEqual(numbered(1, count));
  }, 60_000);

  it('tails across a rotation into the newest rotated file, plain or gzipped', async () => {
    for (const compress of [false, true]) {
      const dir = await harness.dir();
      const outPath = join(dir, 'out.log');
      const logs = harness.pipeline({
        id: 5,
        name: 'tail',
        outPath,
        errPath: join(dir, 'err.log'),
        format: 'plain',
        ringLines: 20,
        rotation: { maxBytes: 2048, retain: 5, compress },
      });
      // paced, so that the rotations happen between many captured chunks as well as inside them
      const child = harness.spawn('chatty.js', { COUNT: '3000', RATE: '6000' });
      harness.capture(logs, child);
      await exited(child);
      await logs.drained();
      await waitFor(
        async () => (await listRotated(outPath)).every((file) => file.isCompressed === compress),
        'compression of the rotated files',
      );
      const currentLines = (await fileLines(outPath)).length;
      const wanted = currentLines + 100;
      const tail = await logs.tail({ lines: wanted, stream: 'out' });
      expect(tail.map((line) => line.line)).toEqual(numbered(3000 - wanted + 1, 3000));
    }
  }, 60_000);

  it('shares one writer between the instances of an app, so rotation moves all of them at once', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const rotation = { maxBytes: 8192, retain: 1000, compress: false };
    const options = {
      name: 'pair',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain' as const,
      rotation,
    };
    const first = harness.pipeline({ ...options, id: 6 });
    const second = harness.pipeline({ ...options, id: 7 });
    await expectBothWhole(first, second, outPath, 5000);
    // the writer cuts a captured chunk at a line boundary: no file passes max_size
    const sizes = await Promise.all(
      (await listRotated(outPath)).map(async (file) => (await stat(file.path)).size),
    );
    for (const size of sizes) expect(size).toBeLessThanOrEqual(8192);
  }, 60_000);

  it('shares one writer between apps given the same file, whatever their rotation: no line of either is lost', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'shared.log');
    const options = { outPath, format: 'plain' as const };
    // one app rotates the file (gzipped), the other does not: its own writer wrote on into the renamed
    // file until its once-a-second check, after the gzip had read it, and those lines were deleted with it
    const rotating = harness.pipeline({
      ...options,
      id: 8,
      name: 'rotating',
      errPath: join(dir, 'rotating-err.log'),
      rotation: { maxBytes: 2048, retain: 1000, compress: true },
    });
    const plain = harness.pipeline({ ...options, id: 9, name: 'plain', errPath: join(dir, 'plain-err.log') });
    await expectBothWhole(rotating, plain, outPath, 2000);
  }, 60_000);
});

describe('file writer rotation', () => {
  it('skips the rotation of an empty file and names rotated files by time, oldest sorting first', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'app-out.log');
    const writer = new FileWriter({ path, highWaterBytes: 1 << 20, rotation: { compress: false } });
    writers.push(writer);
    expect(await writer.rotate()).toBeNull();
    writer.write(Buffer.from('one\n'), 'out', 1);
    const rotated = await writer.rotate();
    expect(rotated).toMatch(/app-out\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z\.log$/);
    writer.write(Buffer.from('two\n'), 'out', 1);
    const again = await writer.rotate();
    writer.write(Buffer.from('three\n'), 'out', 1);
    await writer.settled();
    expect(await readFile(rotated!, 'utf8')).toBe('one\n');
    expect(await readFile(again!, 'utf8')).toBe('two\n');
    expect(await readFile(path, 'utf8')).toBe('three\n');
    expect((await listRotated(path)).map((file) => file.path)).toEqual([again, rotated]);
  });

  it('adds a sequence number when a rotated name is taken within the same millisecond', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'api.log');
    const date = new Date('2026-11-22T01:02:03.456Z');
    const first = rotatedPath(path, date);
    expect(first).toBe(join(dir, 'api.2026-11-22T01-02-03.456Z.log'));
    await writeFile(`${first}.gz`, '');
    const second = rotatedPath(path, date);
    expect(second).toBe(join(dir, 'api.2026-11-22T01-02-03.456Z-1.log'));
    await writeFile(second, '');
    expect((await listRotated(path)).map((file) => file.path)).toEqual([second, `${first}.gz`]);
  });

  it('rejects a cron expression croner cannot parse, up front or through onError', async () => {
    await expect(checkCronExpression('* * * * * *')).resolves.toBeUndefined();
    await expect(checkCronExpression('every day')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^log rotation cron 'every day' is not valid/),
    });
    await expect(checkCronExpression('0 0 31 4 *', 'cron_restart')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: "cron_restart '0 0 31 4 *' is not valid: it never fires: no date from now on matches it",
    });
    const dir = await harness.dir();
    const errors: string[] = [];
    const writer = new FileWriter({
      path: join(dir, 'x.log'),
      highWaterBytes: 1024,
      rotation: { cron: 'every day' },
      onError: (error) => errors.push(error.code),
    });
    writers.push(writer);
    await waitFor(() => errors.length > 0, 'the cron error');
    expect(errors).toEqual(['INVALID_ARGUMENT']);
  });
});
