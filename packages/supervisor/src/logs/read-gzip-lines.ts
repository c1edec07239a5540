import { logReadError, openLogForReading } from './open-log-file.js';

const NEWLINE = 10;

/** A line kept while a gzip file is read: its text, or null when it was longer than allowed. */
type Kept = string | null;

/**
 * Reads a gzipped log file from the start (gzip cannot be read backwards) and hands its last
 * `skip + count` lines to `visit` newest first, skipping the newest `skip`. Memory stays bounded:
 * only those lines are kept, no line longer than `maxLineBytes` is held (reading stops at it, as at
 * lines dropped to keep the kept ones under `maxKeptBytes`), and `hasLongLine` says so.
 * Resolves the file's mtime, or null when the file does not exist.
 */
export async function readGzipLinesBackwards(
  path: string,
  skip: number,
  count: number,
  visit: (line: string) => boolean,
  limits: { maxLineBytes: number; maxKeptBytes: number } = {
    maxLineBytes: Number.POSITIVE_INFINITY,
    maxKeptBytes: Number.POSITIVE_INFINITY,
  },
): Promise<{ mtimeMs: number; hasLongLine?: true } | null> {
  const handle = await openLogForReading(path);
  if (!handle) return null;
  const keep = skip + count;
  const kept: Kept[] = [];
  let keptBytes = 0;
  let evicted = false;
  const keepLine = (data: Buffer | null): void => {
    let text: Kept = null;
    if (data !== null && data.length <= limits.maxLineBytes) {
      text = data.toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      keptBytes += data.length;
    }
    kept.push(text);
    while (kept.length > keep || (keptBytes > limits.maxKeptBytes && kept.length > 1)) {
      const oldest = kept.shift();
      if (oldest !== null && oldest !== undefined) keptBytes -= Buffer.byteLength(oldest);
      if (kept.length >= keep) continue;
      evicted = true;
    }
  };
  let mtimeMs: number;
  try {
    mtimeMs = (await handle.stat()).mtimeMs;
    if (keep <= 0) return { mtimeMs };
    const { createGunzip } = await import('node:zlib'); // loaded only when a .gz file is read
    const gunzip = createGunzip();
    const source = handle.createReadStream({ autoClose: false });
    source.on('error', (error) => gunzip.destroy(error));
    source.pipe(gunzip);
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let isLong = false;
    const endLine = (last: Buffer): void => {
      if (isLong || carryBytes + last.length > limits.maxLineBytes) keepLine(null);
      else keepLine(carry.length === 0 ? last : Buffer.concat([...carry, last]));
      carry = [];
      carryBytes = 0;
      isLong = false;
    };
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
        endLine(chunk.subarray(start, newline));
        start = newline + 1;
      }
      if (start < chunk.length && !isLong) {
        carryBytes += chunk.length - start;
        if (carryBytes > limits.maxLineBytes) {
          isLong = true;
          carry = [];
        } else carry.push(Buffer.from(chunk.subarray(start)));
      }
    }
    if (carryBytes > 0 || isLong) endLine(Buffer.alloc(0));
  } catch (error) {
    throw logReadError(path, error);
  } finally {
    await handle.close();
  }
  let hasLongLine = false;
  for (let index = kept.length - 1 - skip; index >= 0; index -= 1) {
    const text = kept[index];
    if (text === null || text === undefined) {
      hasLongLine = true;
      break;
    }
    if (!visit(text)) break;
  }
  // lines dropped for the byte bound were asked for: the caller's answer is cut there
  if (evicted && kept.length - skip < count) hasLongLine = true;
  return hasLongLine ? { mtimeMs, hasLongLine: true } : { mtimeMs };
}
