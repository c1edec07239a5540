import type { LogLine, LogStreamFilter } from '@velos/core';
import { type LineBatch, type LogStream, lastLineStrings } from './line-batch.js';
import type { LineDecoder } from './line-format.js';
import { readGzipLinesBackwards } from './read-gzip-lines.js';
import { readLinesBackwards } from './read-lines-backwards.js';

/** One log file as a tail sees it, captured at the same instant as the ring snapshot. */
export interface TailFile {
  path: string;
  /** File offset after the last line the pipeline wrote there. */
  endOffset: number;
  /** Lines the pipeline wrote to the file since it was opened or flushed (its streams together). */
  writtenLines: number;
  /** Lines the pipeline sent to the file since it was opened or flushed, written or still queued. */
  sentLines: number;
  /** Lines of `writtenLines` in the current file; the others went to rotated files. */
  fileLines: number;
  /** The newest rotated file (possibly gzipped or pruned since) and how many lines went there. */
  previous: { path: string; lines: number } | null;
}

/** Everything a tail needs, taken synchronously so that ring and files agree. */
export interface TailSnapshot {
  id: number;
  name: string;
  batches: readonly LineBatch[];
  decode: LineDecoder;
  /** Both streams share one file. */
  merged: boolean;
  /** File lines say which stream they came from (JSON Lines). */
  hasStreamInFile: boolean;
  /** Gives a ring line what a file record would say about it (JSON Lines: level, fields; LOG-5). */
  enrich?: (line: LogLine) => LogLine;
  files: Record<LogStream, TailFile>;
}

interface Ordered {
  line: LogLine;
  /** Position in the ring (file lines: -1), to keep ring order among equal timestamps. */
  order: number;
}

/**
 * The last `count` lines of `filter`, oldest first: from the ring, then from the file(s) backwards,
 * then from the newest rotated file (plain or gzipped; older rotated files are not read).
 * Lines the ring holds are skipped in the files (counted from the lines written since open/flush).
 * A file line gets the time its prefix or JSON record gives, else the file's mtime, never later than
 * the next newer line; in a merged plain file the stream of a line is unknown, so lines beyond the
 * ring are reported as `out` and only for `all`. `all` from two files is merged by time.
 */
export async function tailLines(
  snapshot: TailSnapshot,
  count: number,
  filter: LogStreamFilter,
): Promise<LogLine[]> {
  if (!(count > 0)) return [];
  if (snapshot.merged) {
    const accept = (stream: LogStream) => filter === 'all' || stream === filter;
    const ring = ringLines(snapshot, accept, count);
    if (ring.length >= count || (!snapshot.hasStreamInFile && filter !== 'all'))
      return plainLines(ring, count);
    const older = await fileLines(
      snapshot,
      snapshot.files.out,
      'out',
      accept,
      count - ring.length,
      ring,
      null,
    );
    return plainLines([...older, ...ring], count);
  }
  const streams: LogStream[] = filter === 'all' ? ['out', 'err'] : [filter];
  const lists = await Promise.all(
    streams.map(async (stream) => {
      const accept = (candidate: LogStream) => candidate === stream;
      const ring = ringLines(snapshot, accept, count);
      if (ring.length >= count) return ring;
      const file = snapshot.files[stream];
      return [
        ...(await fileLines(snapshot, file, stream, accept, count - ring.length, ring, stream)),
        ...ring,
      ];
    }),
  );
  const [first = [], second = []] = lists;
  return plainLines(second.length === 0 ? first : mergeByTime(first, second), count);
}

function ringLines(snapshot: TailSnapshot, accept: (stream: LogStream) => boolean, count: number): Ordered[] {
  const picked: Ordered[][] = [];
  let taken = 0;
  for (let index = snapshot.batches.length - 1; index >= 0 && taken < count; index -= 1) {
    const batch = snapshot.batches[index]!;
    if (!accept(batch.stream)) continue;
    const texts = lastLineStrings(batch.data, count - taken);
    taken += texts.length;
    const enrich = snapshot.enrich ?? ((line: LogLine) => line);
    picked.push(
      texts.map((line) => ({
        line: enrich({
          ts: batch.ts,
          stream: batch.stream,
          id: snapshot.id,
          name: snapshot.name,
          pid: batch.pid,
          line,
        }),
        order: index,
      })),
    );
  }
  return picked.reverse().flat();
}

/** Up to `count` accepted lines of `file` older than the ring, oldest first. */
async function fileLines(
  snapshot: TailSnapshot,
  file: TailFile,
  fileStream: LogStream,
  accept: (stream: LogStream) => boolean,
  count: number,
  ring: Ordered[],
  ringStream: LogStream | null,
): Promise<Ordered[]> {
  const ringHeld = snapshot.batches.reduce(
    (sum, batch) => (ringStream === null || batch.stream === ringStream ? sum + batch.lines : sum),
    0,
  );
  const overlap = Math.max(0, file.writtenLines - (file.sentLines - ringHeld));
  const found: { ts: number | null; line: LogLine; file: number }[] = [];
  const mtimes: number[] = [];
  let fileIndex = 0;
  const visit = (text: string): boolean => {
    const decoded = snapshot.decode(text);
    const stream = decoded.stream ?? fileStream;
    if (accept(stream)) {
      const line: LogLine = {
        ts: 0,
        stream,
        id: snapshot.id,
        name: snapshot.name,
        pid: decoded.pid,
        line: decoded.line,
      };
      if (decoded.lvl !== undefined) line.lvl = decoded.lvl;
      if (decoded.fields !== undefined) line.fields = decoded.fields;
      found.push({ ts: decoded.ts, line, file: fileIndex });
    }
    return found.length < count;
  };
  const current = await readLinesBackwards(
    file.path,
    file.endOffset,
    Math.min(overlap, file.fileLines),
    visit,
  );
  if (current === null) return [];
  mtimes.push(current.mtimeMs);
  // after a rotation the current file holds only `fileLines` lines: older ones are in the rotated file
  if (found.length < count && file.previous !== null) {
    fileIndex = 1;
    const skip = Math.max(0, overlap - file.fileLines);
    const previous = await readRotated(file.previous.path, skip, count - found.length, visit);
    if (previous !== null) mtimes.push(previous.mtimeMs);
  }
  let bound = ring[0]?.line.ts ?? snapshot.batches[0]?.ts ?? Number.POSITIVE_INFINITY;
  for (const entry of found) {
    entry.line.ts = entry.ts ?? Math.min(mtimes[entry.file] ?? 0, bound);
    bound = Math.min(bound, entry.line.ts);
  }
  return found.reverse().map((entry) => ({ line: entry.line, order: -1 }));
}

/** Reads a rotated file backwards, gzipped or not (it may have been compressed since the snapshot). */
async function readRotated(
  path: string,
  skip: number,
  count: number,
  visit: (line: string) => boolean,
): Promise<{ mtimeMs: number } | null> {
  if (path.endsWith('.gz')) return readGzipLinesBackwards(path, skip, count, visit);
  const plain = await readLinesBackwards(path, Number.POSITIVE_INFINITY, skip, visit);
  return plain ?? readGzipLinesBackwards(`${path}.gz`, skip, count, visit);
}

function mergeByTime(a: Ordered[], b: Ordered[]): Ordered[] {
  const merged: Ordered[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const xFirst = x.line.ts < y.line.ts || (x.line.ts === y.line.ts && x.order <= y.order);
    merged.push(xFirst ? x : y);
    if (xFirst) i += 1;
    else j += 1;
  }
  return merged.concat(a.slice(i), b.slice(j));
}

function plainLines(lines: Ordered[], count: number): LogLine[] {
  return lines.slice(-count).map((entry) => entry.line);
}
