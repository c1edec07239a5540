import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
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

/** Rotated files of `path` oldest first, then `path`: their sizes and their lines. */
async function filesOf(path: string): Promise<{ sizes: number[]; lines: string[][] }> {
  const paths = [...(await listRotated(path)).reverse().map((file) => file.path), path];
  const sizes = await Promise.all(paths.map(async (each) => (await stat(each)).size));
  const lines = await Promise.all(paths.map((each) => fileLines(each)));
  return { sizes, lines };
}

function numberedLines(from: number, count: number, width: number): string {
  let text = '';
  for (let n = from; n < from + count; n += 1) text += `line ${n} ${'x'.repeat(width)}\n`;
  return text;
}

describe('size rotation per write', () => {
  it('cuts a 30 KB batch at line boundaries so that no file passes a 10K limit', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const writer = new FileWriter({
      path,
      highWaterBytes: 1 << 24,
      rotation: { maxBytes: LIMIT, retain: 100, compress: false },
    });
    writers.push(writer);
    let next = 1;
    for (let batch = 0; batch < 6; batch += 1) {
      writer.write(Buffer.from(numberedLines(next, 300, 90)), 'out', 300);
      next += 300;
    }
    await writer.settled();
    const { sizes, lines } = await filesOf(path);
    expect(sizes.length).toBeGreaterThanOrEqual(18);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(LIMIT);
    // every file but the current one is filled to within one line of the limit
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(LIMIT - 110);
    const all = lines.flat();
    expect(all).toHaveLength(1800);
    expect(all.map((line) => Number(line.split(' ')[1]))).toEqual(
      Array.from({ length: 1800 }, (_, i) => i + 1),
    );
    // the line counts of the split batches add up: position tells how many lines the current file holds
    const position = writer.position();
    expect(position.written.out).toBe(1800);
    expect(position.inFile.out).toBe(lines.at(-1)!.length);
    expect(position.previous!.lines.out).toBe(lines.at(-2)!.length);
    expect(position.acceptedLines).toBe(position.settledLines);
  });

  it('puts a line longer than the limit whole into a file of its own', async () => {
    const path = join(await harness.dir(), 'app-out.log');
    const writer = new FileWriter({
      path,
      highWaterBytes: 1 << 24,
      rotation: { maxBytes: LIMIT, retain: 100, compress: false },
    });
    writers.push(writer);
    const long = `long ${'y'.repeat(25_000)}\n`;
    writer.write(Buffer.from(`before 1\nbefore 2\n${long}after 1\n`), 'out', 4);
    writer.write(Buffer.from(long), 'out', 1);
    writer.write(Buffer.from('after 2\n'), 'out', 1);
    await writer.settled();
    const { lines } = await filesOf(path);
    expect(lines.map((file) => file.map((line) => line.slice(0, 8)))).toEqual([
      ['before 1', 'before 2'],
      ['long yyy'],
      ['after 1'],
      ['long yyy'],
      ['after 2'],
    ]);
    expect(await readFile(path, 'utf8')).toBe('after 2\n');
  });

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
    const { sizes, lines } = await filesOf(outPath);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(LIMIT);
    expect(lines.flat()).toEqual(Array.from({ length: count }, (_, i) => `line ${i + 1}`));
  }, 60_000);
});
