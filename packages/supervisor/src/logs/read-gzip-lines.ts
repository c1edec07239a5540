import type { FileHandle } from 'node:fs/promises';
import { bytesUnlessUtf8 } from './line-batch.js';
import { logReadError, openLogForReading } from './open-log-file.js';
import type { BackwardsRead, LineVisitor } from './read-lines-backwards.js';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/**
 * A line kept while a gzip file is read: its text (null when it was longer than allowed), its bytes
 * when they are not valid UTF-8, and its offsets in the decompressed text.
 */
interface Kept {
  text: string | null;
  bytes: Buffer | undefined;
  offset: number;
  end: number;
}

/**
 * Reads a gzipped log file from the start (gzip cannot be read backwards) and hands its last
 * `skip + count` lines to `visit` newest first, skipping the newest `skip`, with their offsets in
 * the decompressed text. Memory stays bounded: only those lines are kept, no line longer than
 * `maxLineBytes` is held (reading stops at it, as at lines dropped to keep the kept ones under
 * `maxKeptBytes`), and `hasLongLine` says so. Resolves the file's mtime, or null when the file does
 * not exist. `opened`: the file, opened already (then not closed here).
 */
export async function readGzipLinesBackwards(
  path: string,
  skip: number,
  count: number,
  visit: LineVisitor,
  limits: { maxLineBytes: number; maxKeptBytes: number } = {
    maxLineBytes: Number.POSITIVE_INFINITY,
    maxKeptBytes: Number.POSITIVE_INFINITY,
  },
  opened?: FileHandle,
): Promise<BackwardsRead | null> {
  const handle = opened ?? (await openLogForReading(path));
  if (!handle) return null;
  const keep = skip + count;
  const kept: Kept[] = [];
  let keptBytes = 0;
  let evicted = false;
  let lineCount = 0;
  // where the next line starts in the decompressed text
  let lineStart = 0;
  const keepLine = (data: Buffer | null, end: number): void => {
    const line: Kept = { text: null, bytes: undefined, offset: lineStart, end };
    lineStart = end;
    lineCount += 1;
    if (data !== null && data.length <= limits.maxLineBytes) {
      const bytes =
        data.length > 0 && data[data.length - 1] === CARRIAGE_RETURN ? data.subarray(0, -1) : data;
      line.text = bytes.toString('utf8');
      line.bytes = bytesUnlessUtf8(line.text, bytes);
      keptBytes += data.length;
    }
    kept.push(line);
    while (kept.length > keep || (keptBytes > limits.maxKeptBytes && kept.length > 1)) {
      const oldest = kept.shift();
      if (oldest?.text != null) keptBytes -= Buffer.byteLength(oldest.text);
      if (kept.length >= keep) continue;
      evicted = true;
    }
  };
  let mtimeMs: number;
  try {
    mtimeMs = (await handle.stat()).mtimeMs;
    if (keep <= 0) return { mtimeMs, skipped: 0 };
    const { createGunzip } = await import('node:zlib'); // loaded only when a .gz file is read
    const gunzip = createGunzip();
    const source = handle.createReadStream({ autoClose: false });
    source.on('error', (error) => gunzip.destroy(error));
    source.pipe(gunzip);
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let isLong = false;
    // bytes of the decompressed text before the current chunk
    let position = 0;
    const endLine = (last: Buffer, end: number): void => {
      if (isLong || carryBytes + last.length > limits.maxLineBytes) keepLine(null, end);
      else keepLine(carry.length === 0 ? last : Buffer.concat([...carry, last]), end);
      carry = [];
      carryBytes = 0;
      isLong = false;
    };
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
        endLine(chunk.subarray(start, newline), position + newline + 1);
        start = newline + 1;
      }
      position += chunk.length;
      if (start < chunk.length && !isLong) {
        carryBytes += chunk.length - start;
        if (carryBytes > limits.maxLineBytes) {
          isLong = true;
          carry = [];
        } else carry.push(Buffer.from(chunk.subarray(start)));
      }
    }
    if (carryBytes > 0 || isLong) endLine(Buffer.alloc(0), position);
  } catch (error) {
    throw logReadError(path, error);
  } finally {
    // a file opened by the caller (`opened`) stays the caller's to close
    if (opened === undefined) await handle.close();
  }
  let longLineEnd: number | undefined;
  for (let index = kept.length - 1 - skip; index >= 0; index -= 1) {
    const line = kept[index]!;
    if (line.text === null) {
      longLineEnd = line.end;
      break;
    }
    if (!visit(line.text, line.offset, line.end, line.bytes)) break;
  }
  // lines dropped for the byte bound were asked for: the caller's answer is cut there
  if (longLineEnd === undefined && evicted && kept.length - skip < count) longLineEnd = kept[0]?.offset ?? 0;
  const skipped = Math.min(skip, lineCount);
  return longLineEnd === undefined
    ? { mtimeMs, skipped }
    : { mtimeMs, skipped, hasLongLine: true, longLineEnd };
}
