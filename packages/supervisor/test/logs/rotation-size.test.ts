import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWriter } from '../../src/logs/file-writer.js';
import { listRotated } from '../../src/logs/index.js';
import { exited, fileLines, Harness } from './helpers.js';

const harness = new Harness();
const writers: FileWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
  await harness.cleanup();
});

const LIMIT = 10 * 1024;

function sizeWriter(path: string, maxBytes: number): FileWriter {
  const writer = new FileWriter({
    path,
    highWaterBytes: 1 << 26,
    rotation: { maxBytes, retain: 100_000, compress: false },
  });
  writers.push(writer);
  return writer;
}

/** The rotated files of `path` oldest first, then `path`: each one's text. */
async function textsOf(path: string): Promise<string[]> {
  const paths = [...(await listRotated(path)).reverse().map((file) => file.path), path];
  return Promise.all(paths.map((each) => readFile(each, 'utf8')));
}

function numberedLines(from: number, count: number, width: number): string {
  let text = '';
  for (let n = from; n < from + count; n += 1) text += `line ${n} ${'x'.repeat(width)}\n`;
  return text;
}

describe('size rotation at line boundaries', () => {
  it('cuts a 30 KB write at line boundaries: no file passes a 10K limit, each is filled to within a line', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const writer = sizeWriter(path, LIMIT);
    let next = 1;
    for (let batch = 0; batch < 6; batch += 1) {
      writer.write(Buffer.from(numberedLines(next, 300, 90)), 'out', 300);
      next += 300;
    }
    await writer.settled();
    const texts = await textsOf(path);
    expect(texts.length).toBeGreaterThanOrEqual(18);
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LIMIT);
    for (const text of texts.slice(0, -1)) expect(Buffer.byteLength(text)).toBeGreaterThan(LIMIT - 110);
    const all = texts.join('').trimEnd().split('\n');
    expect(all.map((line) => Number(line.split(' ')[1]))).toEqual(
      Array.from({ length: 1800 }, (_, i) => i + 1),
    );
    // the line counts of the cut writes add up: the position knows the lines of each file
    const position = writer.position();
    expect(position.written.out).toBe(1800);
    expect(position.inFile.out).toBe(texts.at(-1)!.split('\n').length - 1);
    expect(position.previous!.lines.out).toBe(texts.at(-2)!.split('\n').length - 1);
    expect(position.acceptedLines).toBe(position.settledLines);
  });

  it('puts a line longer than the limit whole into a file of its own', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const writer = sizeWriter(path, LIMIT);
    const long = `long ${'y'.repeat(25_000)}\n`;
    writer.write(Buffer.from(`before 1\nbefore 2\n${long}after 1\n`), 'out', 4);
    writer.write(Buffer.from(long), 'out', 1);
    writer.write(Buffer.from('after 2\n'), 'out', 1);
    await writer.settled();
    const texts = await textsOf(path);
    expect(texts.map((text) => text.split('\n').map((line) => line.slice(0, 8)))).toEqual([
      ['before 1', 'before 2', ''],
      ['long yyy', ''],
      ['after 1', ''],
      ['long yyy', ''],
      ['after 2', ''],
    ]);
  });

  it('never splits a line across files, loses or reorders none, for random line sizes, writes and limits', async () => {
    const dir = await harness.dir();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 64, max: 8192 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 12_000 }), { minLength: 1, maxLength: 40 }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (maxBytes, writes) => {
          round += 1;
          const path = join(dir, `r${round}-out.log`);
          const writer = sizeWriter(path, maxBytes);
          const expected: string[] = [];
          for (const lengths of writes) {
            const lines = lengths.map((length) => {
              const head = `${expected.length + 1}:`;
              expected.push(`${head}${'z'.repeat(Math.max(0, length - head.length))}`);
              return `${expected.at(-1)}\n`;
            });
            writer.write(Buffer.from(lines.join('')), 'out', lines.length);
          }
          await writer.settled();
          const texts = await textsOf(path);
          for (const text of texts) {
            // every file holds whole lines; it passes the limit only when it holds a single line
            expect(text === '' || text.endsWith('\n')).toBe(true);
            const lines = text.split('\n').length - 1;
            if (Buffer.byteLength(text) > maxBytes) expect(lines).toBe(1);
          }
          expect(texts.join('').split('\n').slice(0, -1)).toEqual(expected);
          expect(writer.position().written.out).toBe(expected.length);
          await writer.close();
        },
      ),
      { numRuns: 40, seed: Number(process.env.FUZZ_SEED ?? 20261202) },
    );
  }, 120_000);

  it('keeps a captured flood (large pipe reads) within --log-max-size 10K, every line once, in order', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'flood-out.log');
    const logs = harness.pipeline({
      id: 1,
      name: 'flood',
      outPath,
      errPath: join(dir, 'flood-err.log'),
      format: 'plain',
      rotation: { maxBytes: LIMIT, retain: 10_000, compress: false },
    });
    const count = 20_000;
    const child = harness.spawn('chatty.js', { COUNT: String(count), RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    await logs.close();
    const paths = [...(await listRotated(outPath)).reverse().map((file) => file.path), outPath];
    for (const each of paths) expect((await stat(each)).size).toBeLessThanOrEqual(LIMIT);
    const lines = (await Promise.all(paths.map((each) => fileLines(each)))).flat();
    expect(lines).toEqual(Array.from({ length: count }, (_, i) => `line ${i + 1}`));
  }, 60_000);
});
