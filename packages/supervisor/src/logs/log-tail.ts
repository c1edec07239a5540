import type { LogLine, LogStreamFilter } from '@velos/core';
import { type LineBatch, type LogStream, lastLines } from './line-batch.js';
import type { LineDecoder } from './line-format.js';
import { logLineBytes } from './log-line-bytes.js';
import { rotatedBefore } from './log-rotation.js';
import { type Budget, type CutPoint, type Ordered, readFileLines, spend } from './log-tail-files.js';
import { countLinesBackwards } from './read-lines-backwards.js';

/** One log file as a tail sees it, captured at the same instant as the ring snapshots. */
export interface TailFile {
  path: string;
  /** File offset after the last line the writer wrote there. */
  endOffset: number;
  /** Lines handed to the file's writer so far, by every process writing there: the next line's sequence number. */
  acceptedLines: number;
  /** Lines of `acceptedLines` the writer is done with (written, failed or discarded), in order. */
  settledLines: number;
  /**
   * The sequence number from which every settled line is in the file (or a rotated one), the newest at
   * its end: the line after the newest one a failed write lost or a truncate discarded, or after bytes
   * another process appended (see `WriterPosition.writtenFrom`).
   */
  writtenFrom: number;
  /** Lines written to the current file since it was opened or flushed; older ones went to rotated files. */
  fileLines: number;
  /** The newest rotated file (possibly gzipped or pruned since) and how many lines went there. */
  previous: { path: string; lines: number } | null;
  /** The files rotated before `previous`, newest first, and how many lines went to each (see `WriterPosition.earlier`). */
  earlier?: { path: string; lines: number }[];
  /** The lines of the files rotated before those of `earlier`, newest first (see `WriterPosition.forgotten`). */
  forgotten?: number[];
  /** Epoch ms of the snapshot: without `previous`, rotated files named later than this are newer than the snapshot. */
  takenAt?: number;
  /** See `WriterPosition.earlierIn`: where lines no ring of this daemon held, which may be of any process, are. */
  earlierIn?: string | null;
}

/** The ring of one process writing to the files of a tail. */
export interface TailSource {
  id: number;
  name: string;
  /** Ring batches, oldest first, each with its `seq` in the file its stream goes to. */
  batches: readonly LineBatch[];
  /** Gives a ring line what a file record would say about it (JSON Lines: level, fields; LOG-5). */
  enrich?: (line: LogLine) => LogLine;
  /** The batches hold every line this process wrote to the files (none evicted from its ring). */
  holdsAll?: boolean;
}

/** Everything a tail of one set of log files needs, taken synchronously so that rings and files agree. */
export interface TailSnapshot {
  /** The processes writing to these files (instances of one app share them); file lines are told as the first's. */
  sources: TailSource[];
  /**
   * How many processes write to these files. When `sources` are fewer (one instance of an app whose
   * instances share them), a file line cannot be told theirs: the tail is their ring lines only.
   */
  writers: number;
  decode: LineDecoder;
  /** Both streams share one file. */
  merged: boolean;
  /** File lines say which stream they came from (JSON Lines). */
  hasStreamInFile: boolean;
  files: Record<LogStream, TailFile>;
  /** The Velos home's logs directory: the time index of a file kept elsewhere is under it (see `timeIndexPath`). */
  homeLogsDir?: string;
}

/** Lines of a tail, and what the byte limit (not the line count) left out. */
export interface TailResult {
  lines: LogLine[];
  /** Older lines asked for and left out to stay within `maxBytes`, at most (0: none). */
  omittedLines: number;
  /**
   * The files those lines are in, each with the offset after the newest line left out of it (-1 when
   * not known): the current file, or the rotated one (maybe gzipped) the cut fell in.
   */
  cutFiles: CutPoint[];
  /**
   * Set when the sources are some of the processes sharing the files and their rings held fewer lines
   * than asked for: the files hold older lines of theirs, which cannot be told from the others'.
   */
  unattributed?: string[];
  /**
   * Per line of `lines`, the file it was read from and the offset after it; undefined for a ring line
   * (in the current file, or a rotated one since). Absent when no line came from a file.
   */
  places?: (CutPoint | undefined)[];
}

/** The places of `entries` (see `TailResult.places`), or none when no line came from a file. */
function placesOf(entries: Ordered[]): Pick<TailResult, 'places'> {
  return entries.some((entry) => entry.at !== undefined) ? { places: entries.map((entry) => entry.at) } : {};
}

/** Bytes read backwards at most to count the lines a cut answer leaves out (beyond, the count asked for is told). */
const MAX_COUNT_BYTES = 64 * 1024 * 1024;

interface RingBatch {
  batch: LineBatch;
  source: TailSource;
  ringIndex: number;
}

interface FileTail {
  lines: Ordered[];
  omittedLines: number;
  /** The newest line left out, when it is a file line. */
  cutAt: CutPoint | null;
}

/**
 * The last `count` lines of `filter` in a set of log files, oldest first, within `maxBytes` (see
 * `logLineBytes`): the newest lines every ring holds without a gap (the rings of all processes
 * sharing a file are merged by sequence number, so each line comes once), then the file backwards,
 * then the rotated files newest first (plain or gzipped) until `count` lines are found. A file line
 * gets the time its prefix or JSON record gives, else the time index's, else the file's mtime, never
 * later than the next newer line; in a merged plain file the stream of a line is unknown, so lines
 * beyond the rings are reported as `out` and only for `all`. `all` from two files is merged in
 * arrival order: ring lines by their batch's `ArrivalOrder` key, file lines by the time index entry
 * at or before them (a run of one stream starts with one, beyond 100 runs a second per file only the
 * first run of each 10 ms), lines without either by their time;
 * each stream keeps its order, and equal keys put file lines first, then out. No line longer than
 * `maxBytes` is read into memory. `withBytes`: lines of plain files that are not valid UTF-8 carry
 * their bytes (`LogLine.bytes`).
 */
export async function tailLines(
  snapshot: TailSnapshot,
  count: number,
  filter: LogStreamFilter,
  maxBytes = Number.POSITIVE_INFINITY,
  withBytes = false,
): Promise<TailResult> {
  if (!(count > 0)) return { lines: [], omittedLines: 0, cutFiles: [] };
  if (snapshot.sources.length < snapshot.writers)
    return await sharersTail(snapshot, count, filter, maxBytes, withBytes);
  const keepBytes = withBytes && !snapshot.hasStreamInFile;
  if (snapshot.merged) {
    const accept = (stream: LogStream) => filter === 'all' || stream === filter;
    const fileHasStream = snapshot.hasStreamInFile || filter === 'all';
    const tail = await fileTail(snapshot, 'out', accept, count, maxBytes, fileHasStream, keepBytes);
    return {
      lines: tail.lines.map((entry) => entry.line),
      omittedLines: tail.omittedLines,
      cutFiles: tail.omittedLines > 0 ? [tail.cutAt ?? unknownCut(snapshot.files.out.path)] : [],
      ...placesOf(tail.lines),
    };
  }
  const streams: LogStream[] = filter === 'all' ? ['out', 'err'] : [filter];
  const tails = await Promise.all(
    streams.map((stream) =>
      fileTail(snapshot, stream, (candidate) => candidate === stream, count, maxBytes, true, keepBytes),
    ),
  );
  const [first = [], second = []] = tails.map((tail) => tail.lines);
  const merged = second.length === 0 ? first : mergeInOrder(first, second);
  const kept = newestWithin(merged, count, maxBytes);
  // lines beyond `count` are not asked for: only those dropped within the count are left out
  const droppedInCount = Math.max(0, Math.min(count, merged.length) - kept.length);
  const dropped = merged.slice(merged.length - kept.length - droppedInCount, merged.length - kept.length);
  const cutFiles: CutPoint[] = [];
  streams.forEach((stream, index) => {
    const newestDropped = dropped.findLast((entry) => entry.line.stream === stream);
    if (newestDropped === undefined && tails[index]!.omittedLines === 0) return;
    const cutAt = newestDropped === undefined ? tails[index]!.cutAt : (newestDropped.at ?? null);
    cutFiles.push(cutAt ?? unknownCut(snapshot.files[stream].path));
  });
  let omittedLines = tails.reduce((sum, tail) => sum + tail.omittedLines, 0);
  omittedLines += droppedInCount;
  return {
    lines: kept.map((entry) => entry.line),
    omittedLines: Math.min(omittedLines, count - kept.length),
    cutFiles,
    ...placesOf(kept),
  };
}

/**
 * The tail of some of the processes that share their files (`velos logs <id>` of one instance): the lines
 * their rings hold, in arrival order (the file's order for one file), as a file line cannot be told
 * theirs. `unattributed` names the files when the rings held fewer lines than asked for and the files
 * may hold older ones of theirs: a ring evicted some, or the files held lines before this daemon's.
 */
async function sharersTail(
  snapshot: TailSnapshot,
  count: number,
  filter: LogStreamFilter,
  maxBytes: number,
  withBytes: boolean,
): Promise<TailResult> {
  const budget: Budget = { left: maxBytes, isCut: false };
  const accept = (stream: LogStream) => filter === 'all' || stream === filter;
  const batches: RingBatch[] = [];
  for (const source of snapshot.sources) {
    source.batches.forEach((batch, ringIndex) => {
      if (batch.seq !== undefined) batches.push({ batch, source, ringIndex });
    });
  }
  // one file: its order; two: the order the daemon read the streams in, as for a whole tail
  const keyOf = ({ batch }: RingBatch) => (snapshot.merged ? batch.seq! : (batch.order ?? batch.ts));
  batches.sort((a, b) => keyOf(a) - keyOf(b) || a.batch.seq! - b.batch.seq!);
  const lines = ringLines(batches, accept, count, budget, withBytes, true).map((entry) => entry.line);
  const result: TailResult = {
    lines,
    omittedLines: budget.isCut ? count - lines.length : 0,
    cutFiles: [],
  };
  if (!budget.isCut && lines.length < count) {
    const streams: LogStream[] = snapshot.merged ? ['out'] : filter === 'all' ? ['out', 'err'] : [filter];
    // rings that hold every line of theirs leave the file's other lines to the other processes, except
    // lines an earlier daemon wrote (before a `velos update` or a restart), which may be anyone's
    const isRingWhole = snapshot.sources.every((source) => source.holdsAll === true);
    const paths: string[] = [];
    for (const stream of streams) {
      const file = snapshot.files[stream];
      const evicted = isRingWhole
        ? null
        : await evictedIn(file, oldestSeq(batches, snapshot.merged, stream, file));
      for (const path of [evicted, file.earlierIn ?? null])
        if (path !== null && !paths.includes(path)) paths.push(path);
    }
    if (paths.length > 0) result.unattributed = paths;
  }
  return result;
}

/** The sequence number of the oldest ring line of the sources in the file of `stream` (none: the next line's). */
function oldestSeq(batches: RingBatch[], merged: boolean, stream: LogStream, file: TailFile): number {
  let oldest = file.acceptedLines;
  for (const { batch } of batches)
    if (merged || batch.stream === stream) oldest = Math.min(oldest, batch.seq!);
  return oldest;
}

/**
 * Where the newest of the lines that rings evicted (or never held) are, when the ring lines start at
 * `oldest`: the current file when it holds lines written before that one, else the newest rotated file
 * that does (counting back through the rotations the writer knows of: by path, then past those by
 * their lines only, found on disk by the order of the names), else none (pruned since).
 */
async function evictedIn(file: TailFile, oldest: number): Promise<string | null> {
  // lines a failed write lost count as settled, never as the file's: this errs toward the current file
  const currentFirst = file.settledLines - file.fileLines;
  if (file.fileLines > 0 && currentFirst < oldest) return file.path;
  if (file.previous === null) return null;
  // back through the rotated files, newest first, to the one that starts before the oldest ring line
  let first = currentFirst;
  const known = [file.previous, ...(file.earlier ?? [])];
  for (const rotated of known) {
    first -= rotated.lines;
    if (first < oldest) return rotated.path;
  }
  const forgotten = file.forgotten ?? [];
  for (let depth = 0; depth < forgotten.length; depth += 1) {
    first -= forgotten[depth]!;
    if (first < oldest) return rotatedBefore(file.path, known.at(-1)!.path, depth);
  }
  return null;
}

function unknownCut(path: string): CutPoint {
  return { path, endOffset: -1 };
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
  withBytes: boolean,
): Promise<FileTail> {
  const budget: Budget = { left: maxBytes, isCut: false };
  const file = snapshot.files[fileStream];
  const { batches, firstSeq } = contiguousBatches(snapshot, fileStream, file);
  const ring = ringLines(batches, accept, count, budget, withBytes, snapshot.writers > 1);
  if (budget.isCut) return { lines: ring, omittedLines: count - ring.length, cutAt: null };
  if (ring.length >= count || !isFileReadable) return { lines: ring, omittedLines: 0, cutAt: null };
  // the settled ring lines are the file's newest (none was lost: the run starts at `writtenFrom` or
  // later), those not settled yet are not in it; lines between file and rings (being written, too
  // large for a ring) are left out of this tail, older ones are read
  const overlap = Math.max(0, file.settledLines - firstSeq);
  const first = snapshot.sources[0]!;
  const options = {
    decode: snapshot.decode,
    fileStream,
    accept,
    owner: { id: first.id, name: first.name, bound: ring[0]?.line.ts ?? Number.POSITIVE_INFINITY },
    withBytes,
    ...(snapshot.homeLogsDir === undefined ? {} : { homeLogsDir: snapshot.homeLogsDir }),
  };
  const older = await readFileLines(file, options, count - ring.length, overlap, budget);
  const lines = [...older.lines, ...ring];
  const { cutAt } = older;
  if (!budget.isCut) return { lines, omittedLines: 0, cutAt: null };
  const asked = count - lines.length;
  if (older.restOffset === null) return { lines, omittedLines: asked, cutAt };
  // the lines left out of the current file can be counted without keeping them; rotated ones are known
  const counted = await countLinesBackwards(file.path, older.restOffset, asked, MAX_COUNT_BYTES);
  if (counted === null || !counted.isComplete) return { lines, omittedLines: asked, cutAt };
  return { lines, omittedLines: Math.min(asked, counted.lines + (file.previous?.lines ?? 0)), cutAt };
}

/**
 * The ring batches of every source that go to the file of `fileStream`, in file order, keeping only
 * the newest run without a gap up to `file.acceptedLines` and from `file.writtenFrom` on (older ring
 * lines may be lost ones, which the file does not hold); `firstSeq` is where that run starts.
 */
function contiguousBatches(
  snapshot: TailSnapshot,
  fileStream: LogStream,
  file: TailFile,
): { batches: RingBatch[]; firstSeq: number } {
  const all: RingBatch[] = [];
  for (const source of snapshot.sources) {
    source.batches.forEach((batch, ringIndex) => {
      if (batch.seq === undefined || (!snapshot.merged && batch.stream !== fileStream)) return;
      all.push({ batch, source, ringIndex });
    });
  }
  all.sort((a, b) => a.batch.seq! - b.batch.seq!);
  let firstSeq = file.acceptedLines;
  let start = all.length;
  while (start > 0) {
    const { batch } = all[start - 1]!;
    if (batch.seq! + batch.lines !== firstSeq || batch.seq! < file.writtenFrom) break;
    firstSeq = batch.seq!;
    start -= 1;
  }
  return { batches: all.slice(start), firstSeq };
}

/** The newest ring lines of `batches`; `isShared`: several processes write the file (see `LogLine.isIdKnown`). */
function ringLines(
  batches: RingBatch[],
  accept: (stream: LogStream) => boolean,
  count: number,
  budget: Budget,
  withBytes: boolean,
  isShared: boolean,
): Ordered[] {
  const picked: Ordered[][] = [];
  let taken = 0;
  for (let index = batches.length - 1; index >= 0 && taken < count && !budget.isCut; index -= 1) {
    const { batch, source, ringIndex } = batches[index]!;
    if (!accept(batch.stream)) continue;
    const texts = lastLines(batch.data, count - taken, withBytes);
    const enrich = source.enrich ?? ((line: LogLine) => line);
    const key = batch.order ?? batch.ts;
    const lines: Ordered[] = [];
    for (let i = texts.length - 1; i >= 0; i -= 1) {
      const { text, bytes } = texts[i]!;
      const line = enrich({
        ts: batch.ts,
        stream: batch.stream,
        id: source.id,
        name: source.name,
        pid: batch.pid,
        line: text,
      });
      if (bytes !== undefined) line.bytes = bytes;
      // a ring line is known to be its process's, unlike a line read back from a shared file
      if (isShared) line.isIdKnown = true;
      if (!spend(budget, line)) break;
      lines.push({ line, order: ringIndex, key });
    }
    taken += lines.length;
    picked.push(lines.reverse());
  }
  return picked.reverse().flat();
}

/** Merges the tails of the two files in arrival order (see `tailLines`); on equal keys file lines, then `a`, first. */
function mergeInOrder(a: Ordered[], b: Ordered[]): Ordered[] {
  const merged: Ordered[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const xFirst = x.key < y.key || (x.key === y.key && x.order <= y.order);
    merged.push(xFirst ? x : y);
    if (xFirst) i += 1;
    else j += 1;
  }
  return merged.concat(a.slice(i), b.slice(j));
}
