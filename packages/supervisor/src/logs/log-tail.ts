import type { LogLine, LogStreamFilter } from '@velos/core';
import { type LineBatch, type LogStream, lastLineStrings } from './line-batch.js';
import type { LineDecoder } from './line-format.js';
import { logLineBytes } from './log-line-bytes.js';
import { listRotated } from './log-rotation.js';
import { readGzipLinesBackwards } from './read-gzip-lines.js';
import { countLinesBackwards, readLinesBackwards } from './read-lines-backwards.js';

/** One log file as a tail sees it, captured at the same instant as the ring snapshots. */
export interface TailFile {
  path: string;
  /** File offset after the last line the writer wrote there. */
  endOffset: number;
  /** Lines handed to the file's writer so far, by every process writing there: the next line's sequence number. */
  acceptedLines: number;
  /** Lines of `acceptedLines` the writer is done with (written, failed or discarded), in order. */
  settledLines: number;
  /** Lines written to the current file since it was opened or flushed; older ones went to rotated files. */
  fileLines: number;
  /** The newest rotated file (possibly gzipped or pruned since) and how many lines went there. */
  previous: { path: string; lines: number } | null;
  /** Epoch ms of the snapshot: without `previous`, rotated files named later than this are newer than the snapshot. */
  takenAt?: number;
}

/** The ring of one process writing to the files of a tail. */
export interface TailSource {
  id: number;
  name: string;
  /** Ring batches, oldest first, each with its `seq` in the file its stream goes to. */
  batches: readonly LineBatch[];
  /** Gives a ring line what a file record would say about it (JSON Lines: level, fields; LOG-5). */
  enrich?: (line: LogLine) => LogLine;
}

/** Everything a tail of one set of log files needs, taken synchronously so that rings and files agree. */
export interface TailSnapshot {
  /** The processes writing to these files (instances of one app share them); file lines are told as the first's. */
  sources: TailSource[];
  decode: LineDecoder;
  /** Both streams share one file. */
  merged: boolean;
  /** File lines say which stream they came from (JSON Lines). */
  hasStreamInFile: boolean;
  files: Record<LogStream, TailFile>;
}

/** Lines of a tail, and what the byte limit (not the line count) left out. */
export interface TailResult {
  lines: LogLine[];
  /** Older lines asked for and left out to stay within `maxBytes`, at most (0: none). */
  omittedLines: number;
  /** The files those lines are in. */
  cutFiles: string[];
}

/** Bytes read backwards at most to count the lines a cut answer leaves out (beyond, the count asked for is told). */
const MAX_COUNT_BYTES = 64 * 1024 * 1024;

interface Ordered {
  line: LogLine;
  /** Position of its batch in its ring (file lines: -1), to keep ring order among equal timestamps. */
  order: number;
}

interface RingBatch {
  batch: LineBatch;
  source: TailSource;
  ringIndex: number;
}

interface Budget {
  left: number;
  isCut: boolean;
}

interface FileTail {
  lines: Ordered[];
  omittedLines: number;
}

/**
 * The last `count` lines of `filter` in a set of log files, oldest first, within `maxBytes` (see
 * `logLineBytes`): the newest lines every ring holds without a gap (the rings of all processes
 * sharing a file are merged by sequence number, so each line comes once), then the file backwards,
 * then the rotated files newest first (plain or gzipped) until `count` lines are found. A file line gets the time its prefix or JSON
 * record gives, else the file's mtime, never later than the next newer line; in a merged plain file
 * the stream of a line is unknown, so lines beyond the rings are reported as `out` and only for `all`.
 * `all` from two files is merged by time. No line longer than `maxBytes` is read into memory.
 */
export async function tailLines(
  snapshot: TailSnapshot,
  count: number,
  filter: LogStreamFilter,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<TailResult> {
  if (!(count > 0)) return { lines: [], omittedLines: 0, cutFiles: [] };
  if (snapshot.merged) {
    const accept = (stream: LogStream) => filter === 'all' || stream === filter;
    const fileHasStream = snapshot.hasStreamInFile || filter === 'all';
    const tail = await fileTail(snapshot, 'out', accept, count, maxBytes, fileHasStream);
    return {
      lines: tail.lines.map((entry) => entry.line),
      omittedLines: tail.omittedLines,
      cutFiles: tail.omittedLines > 0 ? [snapshot.files.out.path] : [],
    };
  }
  const streams: LogStream[] = filter === 'all' ? ['out', 'err'] : [filter];
  const tails = await Promise.all(
    streams.map((stream) =>
      fileTail(snapshot, stream, (candidate) => candidate === stream, count, maxBytes, true),
    ),
  );
  const [first = [], second = []] = tails.map((tail) => tail.lines);
  const merged = second.length === 0 ? first : mergeByTime(first, second);
  const kept = newestWithin(merged, count, maxBytes);
  // lines beyond `count` are not asked for: only those dropped within the count are left out
  const droppedInCount = Math.max(0, Math.min(count, merged.length) - kept.length);
  const dropped = merged.slice(merged.length - kept.length - droppedInCount, merged.length - kept.length);
  const cutFiles = streams.filter(
    (stream, index) =>
      tails[index]!.omittedLines > 0 || dropped.some((entry) => entry.line.stream === stream),
  );
  let omittedLines = tails.reduce((sum, tail) => sum + tail.omittedLines, 0);
  omittedLines += droppedInCount;
  return {
    lines: kept.map((entry) => entry.line),
    omittedLines: Math.min(omittedLines, count - kept.length),
    cutFiles: cutFiles.map((stream) => snapshot.files[stream].path),
  };
}

/** The newest entries of `lines` (oldest first) that fit in `count` lines and `maxBytes`. */
function newestWithin(lines: Ordered[], count: number, maxBytes: number): Ordered[] {
  let bytes = 0;
  let start = lines.length;
  while (start > 0 && lines.length - start < count) {
    const size = logLineBytes(lines[start - 1]!.line);
    if (bytes + size > maxBytes) break;
    bytes += size;
    start -= 1;
  }
  return lines.slice(start);
}

/** The tail of the file `fileStream` writes to: ring lines without a gap, then the file's older lines. */
async function fileTail(
  snapshot: TailSnapshot,
  fileStream: LogStream,
  accept: (stream: LogStream) => boolean,
  count: number,
  maxBytes: number,
  isFileReadable: boolean,
): Promise<FileTail> {
  const budget: Budget = { left: maxBytes, isCut: false };
  const file = snapshot.files[fileStream];
  const { batches, firstSeq } = contiguousBatches(snapshot, fileStream, file.acceptedLines);
  const ring = ringLines(batches, accept, count, budget);
  if (budget.isCut) return { lines: ring, omittedLines: count - ring.length };
  if (ring.length >= count || !isFileReadable) return { lines: ring, omittedLines: 0 };
  // ring lines not yet settled are not in the file; lines between file and rings (being written,
  // too large for a ring) are left out of this tail, older ones are read
  const overlap = Math.max(0, file.settledLines - firstSeq);
  const first = snapshot.sources[0]!;
  const older = await fileLines(snapshot, file, fileStream, accept, count - ring.length, overlap, budget, {
    id: first.id,
    name: first.name,
    bound: ring[0]?.line.ts ?? Number.POSITIVE_INFINITY,
  });
  const lines = [...older.lines, ...ring];
  if (!budget.isCut) return { lines, omittedLines: 0 };
  const asked = count - lines.length;
  if (older.restOffset === null) return { lines, omittedLines: asked };
  // the lines left out of the current file can be counted without keeping them; rotated ones are known
  const counted = await countLinesBackwards(file.path, older.restOffset, asked, MAX_COUNT_BYTES);
  if (counted === null || !counted.isComplete) return { lines, omittedLines: asked };
  return { lines, omittedLines: Math.min(asked, counted.lines + (file.previous?.lines ?? 0)) };
}

/**
 * The ring batches of every source that go to the file of `fileStream`, in file order, keeping only
 * the newest run without a gap up to `acceptedLines`; `firstSeq` is where that run starts.
 */
function contiguousBatches(
  snapshot: TailSnapshot,
  fileStream: LogStream,
  acceptedLines: number,
): { batches: RingBatch[]; firstSeq: number } {
  const all: RingBatch[] = [];
  for (const source of snapshot.sources) {
    source.batches.forEach((batch, ringIndex) => {
      if (batch.seq === undefined || (!snapshot.merged && batch.stream !== fileStream)) return;
      all.push({ batch, source, ringIndex });
    });
  }
  all.sort((a, b) => a.batch.seq! - b.batch.seq!);
  let firstSeq = acceptedLines;
  let start = all.length;
  while (start > 0) {
    const { batch } = all[start - 1]!;
    if (batch.seq! + batch.lines !== firstSeq) break;
    firstSeq = batch.seq!;
    start -= 1;
  }
  return { batches: all.slice(start), firstSeq };
}

function ringLines(
  batches: RingBatch[],
  accept: (stream: LogStream) => boolean,
  count: number,
  budget: Budget,
): Ordered[] {
  const picked: Ordered[][] = [];
  let taken = 0;
  for (let index = batches.length - 1; index >= 0 && taken < count && !budget.isCut; index -= 1) {
    const { batch, source, ringIndex } = batches[index]!;
    if (!accept(batch.stream)) continue;
    const texts = lastLineStrings(batch.data, count - taken);
    const enrich = source.enrich ?? ((line: LogLine) => line);
    const lines: Ordered[] = [];
    for (let i = texts.length - 1; i >= 0; i -= 1) {
      const line = enrich({
        ts: batch.ts,
        stream: batch.stream,
        id: source.id,
        name: source.name,
        pid: batch.pid,
        line: texts[i]!,
      });
      if (!spend(budget, line)) break;
      lines.push({ line, order: ringIndex });
    }
    taken += lines.length;
    picked.push(lines.reverse());
  }
  return picked.reverse().flat();
}

/** Takes the bytes of `line` from the budget; false (and the budget marked cut) when they do not fit. */
function spend(budget: Budget, line: LogLine): boolean {
  const size = logLineBytes(line);
  if (size > budget.left) {
    budget.isCut = true;
    return false;
  }
  budget.left -= size;
  return true;
}

/** Up to `count` accepted lines of `file` older than the newest `overlap` ones, oldest first. */
async function fileLines(
  snapshot: TailSnapshot,
  file: TailFile,
  fileStream: LogStream,
  accept: (stream: LogStream) => boolean,
  count: number,
  overlap: number,
  budget: Budget,
  owner: { id: number; name: string; bound: number },
): Promise<{ lines: Ordered[]; restOffset: number | null }> {
  const found: { ts: number | null; line: LogLine; file: number }[] = [];
  const mtimes: number[] = [];
  let fileIndex = 0;
  // where the lines of the current file not taken end: the start of the oldest one taken
  let restOffset: number | null = null;
  const visit = (text: string, offset = -1): boolean => {
    const decoded = snapshot.decode(text);
    const stream = decoded.stream ?? fileStream;
    if (accept(stream)) {
      const line: LogLine = {
        ts: 0,
        stream,
        id: owner.id,
        name: owner.name,
        pid: decoded.pid,
        line: decoded.line,
      };
      if (decoded.lvl !== undefined) line.lvl = decoded.lvl;
      if (decoded.fields !== undefined) line.fields = decoded.fields;
      if (!spend(budget, line)) return false;
      found.push({ ts: decoded.ts, line, file: fileIndex });
    }
    restOffset = fileIndex === 0 ? offset : null;
    return found.length < count;
  };
  const current = await readLinesBackwards(
    file.path,
    file.endOffset,
    Math.min(overlap, file.fileLines),
    visit,
    budget.left,
  );
  if (current === null) return { lines: [], restOffset: null };
  if (current.hasLongLine) budget.isCut = true;
  mtimes.push(current.mtimeMs);
  // the current file holds only `fileLines` lines: older ones are in the rotated files, newest first
  let skip = Math.max(0, overlap - file.fileLines);
  const generations = found.length < count && !budget.isCut ? await rotatedGenerations(file) : [];
  for (const path of generations) {
    if (found.length >= count || budget.isCut) break;
    // ring lines reach past the newest rotated file only when rotated files are tiny: stop rather than repeat them
    if (fileIndex > 0 && skip > 0) break;
    fileIndex += 1;
    const read = await readRotated(path, skip, count - found.length, visit, budget.left);
    if (read?.hasLongLine) budget.isCut = true;
    if (read !== null) mtimes[fileIndex] = read.mtimeMs;
    skip = fileIndex === 1 && file.previous !== null ? Math.max(0, skip - file.previous.lines) : 0;
  }
  let bound = owner.bound;
  for (const entry of found) {
    entry.line.ts = entry.ts ?? Math.min(mtimes[entry.file] ?? 0, bound);
    bound = Math.min(bound, entry.line.ts);
  }
  return { lines: found.reverse().map((entry) => ({ line: entry.line, order: -1 })), restOffset };
}

/**
 * The rotated files of `file`, newest first, from the one its writer rotated last (`previous`); with
 * none (the daemon started since, or nothing rotated yet) every rotated file named before the snapshot.
 */
async function rotatedGenerations(file: TailFile): Promise<string[]> {
  const rotated = await listRotated(file.path);
  const plain = (path: string) => (path.endsWith('.gz') ? path.slice(0, -3) : path);
  if (file.previous !== null) {
    const newest = plain(file.previous.path);
    const at = rotated.findIndex((each) => plain(each.path) === newest);
    return at === -1 ? [file.previous.path] : rotated.slice(at).map((each) => each.path);
  }
  const takenAt = file.takenAt ?? Date.now();
  return rotated.filter((each) => stampMs(each.stamp) <= takenAt).map((each) => each.path);
}

/** Epoch ms of a rotated file's stamp (`2026-11-22T01-02-03.456Z`). */
function stampMs(stamp: string): number {
  return Date.parse(stamp.replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3'));
}

/** Reads a rotated file backwards, gzipped or not (it may have been compressed since the snapshot). */
async function readRotated(
  path: string,
  skip: number,
  count: number,
  visit: (line: string) => boolean,
  maxBytes: number,
): Promise<{ mtimeMs: number; hasLongLine?: true } | null> {
  // the skipped lines are ring lines (held in memory already), so they may be kept besides the budget
  const limits = { maxLineBytes: maxBytes, maxKeptBytes: maxBytes * 2 };
  if (path.endsWith('.gz')) return readGzipLinesBackwards(path, skip, count, visit, limits);
  const plain = await readLinesBackwards(path, Number.POSITIVE_INFINITY, skip, visit, maxBytes);
  return plain ?? readGzipLinesBackwards(`${path}.gz`, skip, count, visit, limits);
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
