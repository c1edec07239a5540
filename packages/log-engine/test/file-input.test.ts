import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { looksBinary } from '../src/binary-input.js';
import { readLogRecords, summarizeFile } from '../src/file-input.js';

const dir = mkdtempSync(join(tmpdir(), 'log-engine-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('readLogRecords', () => {
  it('reads a file line by line, with CRLF and no final newline', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, 'first\r\nsecond\n\nlast');
    expect(await collect(readLogRecords(file))).toEqual([
      { line: 'first' },
      { line: 'second' },
      { line: '' },
      { line: 'last' },
    ]);
  });

  it('ends lines at \\n only: a lone \\r (a progress bar redrawn in place) stays in its line, as wc -l counts', async () => {
    const file = join(dir, 'progress.log');
    writeFileSync(file, 'download 10%\rdownload 100%\r\nERROR disk full\r\n\r\ndone\r');
    expect(await collect(readLogRecords(file))).toEqual([
      { line: 'download 10%\rdownload 100%' },
      { line: 'ERROR disk full' },
      { line: '' },
      { line: 'done' },
    ]);
  });

  it('joins a line split across chunks, a multi-byte character too', async () => {
    const bytes = Buffer.from('caf\u00e9 cr\u00e8me\nnext\n');
    const chunks = [bytes.subarray(0, 4), bytes.subarray(4, 9), bytes.subarray(9)];
    expect(await collect(readLogRecords(Readable.from(chunks)))).toEqual([
      { line: 'caf\u00e9 cr\u00e8me' },
      { line: 'next' },
    ]);
  });

  it('reads a stream and tags the records with a stream name', async () => {
    const records = await collect(readLogRecords(Readable.from(['a\nb', '\nc\n']), { stream: 'err' }));
    expect(records).toEqual([
      { stream: 'err', line: 'a' },
      { stream: 'err', line: 'b' },
      { stream: 'err', line: 'c' },
    ]);
  });

  it('tells once when the input looks binary (a NUL, or over 10% control bytes), and reads it all the same', async () => {
    const text = Buffer.from('\u001b[31mERROR\u001b[0m\tdb down\r\nüñí 10%\r20%\n'.repeat(50));
    expect(looksBinary(text)).toBe(false);
    expect(looksBinary(Buffer.from('line\u0000\n'))).toBe(true);
    expect(looksBinary(Buffer.from('abcdefghi\u0001'.repeat(10)))).toBe(false);
    expect(looksBinary(Buffer.from('abcdefgh\u0001\u0002'.repeat(10)))).toBe(true);
    expect(looksBinary(Buffer.alloc(0))).toBe(false);
    const file = join(dir, 'app.gz');
    writeFileSync(file, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x0a, 0x41, 0x0a]));
    let told = 0;
    const records = await collect(readLogRecords(file, { onBinary: () => (told += 1) }));
    expect(told).toBe(1);
    expect(records).toHaveLength(2);
    told = 0;
    await collect(readLogRecords(Readable.from([text, Buffer.from([0])]), { onBinary: () => (told += 1) }));
    expect(told).toBe(0);
  });

  it('fails with IO_ERROR naming the file when it cannot be read', async () => {
    await expect(collect(readLogRecords(join(dir, 'missing.log')))).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringContaining('missing.log'),
    });
    await expect(collect(readLogRecords(dir))).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});

describe('summarizeFile', () => {
  it('summarises a file with the times written in its lines', async () => {
    const file = join(dir, 'timed.log');
    writeFileSync(
      file,
      [
        '2026-11-22T10:00:00Z INFO up',
        '2026-11-22T10:01:00Z ERROR down: disk full',
        '2026-11-22T10:02:00Z INFO up',
      ].join('\n'),
    );
    const summary = await summarizeFile(file);
    expect(summary.period).toEqual({ from: Date.UTC(2026, 10, 22, 10), to: Date.UTC(2026, 10, 22, 10, 2) });
    expect(summary.levels).toMatchObject({ error: 1, info: 2 });
    expect(summary.lastError?.line).toBe('2026-11-22T10:01:00Z ERROR down: disk full');
  });
});
