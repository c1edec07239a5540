import { logReadError, openLogForReading } from './open-log-file.js';

const NEWLINE = 10;

/**
 * Reads a gzipped log file from the start (gzip cannot be read backwards) and hands its last
 * `skip + count` lines to `visit` newest first, skipping the newest `skip`; only that many lines are
 * held in memory. Resolves the file's mtime, or null when the file does not exist.
 */
export async function readGzipLinesBackwards(
  path: string,
  skip: number,
  count: number,
  visit: (line: string) => boolean,
): Promise<{ mtimeMs: number } | null> {
  const handle = await openLogForReading(path);
  if (!handle) return null;
  const keep = skip + count;
  const ring: string[] = [];
  let total = 0;
  const keepLine = (data: Buffer): void => {
    const text = data.toString('utf8');
    ring[total % keep] = text.endsWith('\r') ? text.slice(0, -1) : text;
    total += 1;
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
    let carry: Buffer = Buffer.alloc(0);
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, start)) {
        keepLine(data.subarray(start, newline));
        start = newline + 1;
      }
      data = data.subarray(start);
      carry = Buffer.from(data);
    }
    if (carry.length > 0) keepLine(carry);
  } catch (error) {
    throw logReadError(path, error);
  } finally {
    await handle.close();
  }
  for (let index = total - 1 - skip; index >= Math.max(0, total - keep); index -= 1) {
    if (!visit(ring[index % keep]!)) break;
  }
  return { mtimeMs };
}
