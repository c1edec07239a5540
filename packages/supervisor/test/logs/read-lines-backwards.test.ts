import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readGzipLinesBackwards } from '../../src/logs/read-gzip-lines.js';
import { countLinesBackwards, readLinesBackwards } from '../../src/logs/read-lines-backwards.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'velos-backwards-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function readAll(content: string | Buffer, skip = 0, end?: number): Promise<string[]> {
  const path = join(dir, 'file.log');
  await writeFile(path, content);
  const lines: string[] = [];
  await readLinesBackwards(path, end ?? Buffer.byteLength(content), skip, (line) => {
    lines.push(line);
    return true;
  });
  return lines.reverse();
}

describe('readLinesBackwards', () => {
  it('reads lines across 64 KiB blocks, empty lines, CRLF and a missing final newline', async () => {
    const long = 'L'.repeat(150_000);
    const lines = ['first', '', long, 'crlf', 'é'.repeat(40_000), 'last'];
    const content = `first\n\n${long}\ncrlf\r\n${'é'.repeat(40_000)}\nlast`;
    expect(await readAll(content)).toEqual(lines);
    expect(await readAll(`${content}\n`)).toEqual(lines);
    expect(await readAll('\n')).toEqual(['']);
    expect(await readAll('')).toEqual([]);
  });

  it('skips the newest lines and stops where it is told', async () => {
    const content = Array.from({ length: 20_000 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    expect((await readAll(content, 19_990)).length).toBe(10);
    expect((await readAll(content, 19_990))[9]).toBe('line 10');
    const path = join(dir, 'file.log');
    const seen: string[] = [];
    await readLinesBackwards(path, Buffer.byteLength(content), 5, (line) => seen.push(line) < 3);
    expect(seen).toEqual(['line 19995', 'line 19994', 'line 19993']);
  });

  it('ignores bytes after endOffset and reports a missing file as null', async () => {
    expect(await readAll('one\ntwo\nthree\n', 0, 8)).toEqual(['one', 'two']);
    expect(await readLinesBackwards(join(dir, 'missing.log'), 100, 0, () => true)).toBeNull();
  });

  it('never holds a line longer than maxLineBytes: it stops there and says so, with the offsets read', async () => {
    const path = join(dir, 'long.log');
    const content = `old\n${'x'.repeat(300_000)}\nnew 1\nnew 2\n`;
    await writeFile(path, content);
    const seen: [string, number][] = [];
    const result = await readLinesBackwards(
      path,
      Buffer.byteLength(content),
      0,
      (line, offset) => seen.push([line, offset]) > 0,
      100_000,
    );
    expect(seen).toEqual([
      ['new 2', content.indexOf('new 2')],
      ['new 1', content.indexOf('new 1')],
    ]);
    expect(result?.hasLongLine).toBe(true);
    const rest = await countLinesBackwards(path, content.indexOf('new 1'), 10, 1024 * 1024);
    expect(rest).toEqual({ lines: 2, isComplete: true });
    // within its last 1000 bytes only the long line's end is seen: at least 1 line, maybe more
    expect(await countLinesBackwards(path, content.indexOf('new 1'), 10, 1000)).toEqual({
      lines: 1,
      isComplete: false,
    });
  });

  it('reads a gzipped file keeping only the lines asked for, none longer than maxLineBytes', async () => {
    const path = join(dir, 'rotated.log.gz');
    await writeFile(path, gzipSync(`a\n${'y'.repeat(200_000)}\nb\nc\nd\n`));
    const seen: string[] = [];
    const all = await readGzipLinesBackwards(path, 1, 10, (line) => seen.push(line) > 0, {
      maxLineBytes: 1000,
      maxKeptBytes: 10_000,
    });
    expect(seen).toEqual(['c', 'b']);
    expect(all?.hasLongLine).toBe(true);
  });

  it('says how many of the lines to skip a file held, plain or gzipped, so a skip can go on in an older file', async () => {
    const content = 'one\ntwo\nthree\n';
    const plain = join(dir, 'small.log');
    const gzipped = join(dir, 'small.log.gz');
    await writeFile(plain, content);
    await writeFile(gzipped, gzipSync(content));
    const none = () => true;
    expect((await readLinesBackwards(plain, Number.POSITIVE_INFINITY, 2, none))?.skipped).toBe(2);
    expect((await readLinesBackwards(plain, Number.POSITIVE_INFINITY, 10, none))?.skipped).toBe(3);
    expect((await readGzipLinesBackwards(gzipped, 2, 5, none))?.skipped).toBe(2);
    expect((await readGzipLinesBackwards(gzipped, 10, 5, none))?.skipped).toBe(3);
  });
});
