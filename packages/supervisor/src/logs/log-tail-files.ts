import type { FileHandle } from 'node:fs/promises';
import type { LogLine } from '@velos/core';
import { readTimeIndexTail, TimeCursor } from '../log-insights/time-lookup.js';
import type { LogStream } from './line-batch.js';
import type { LineDecoder } from './line-format.js';
import { logLineBytes } from './log-line-bytes.js';
import { listRotated } from './log-rotation.js';
import { openLogForReading } from './open-log-file.js';
import { readGzipLinesBackwards } from './read-gzip-lines.js';
import { type BackwardsRead, type LineVisitor, readLinesBackwards } from './read-lines-backwards.js';

/** The current log file of a tail, as its writer stood at the snapshot (see `TailFile`). */
export interface TailedFile {
  path: string;
  endOffset: number;
  fileLines: number;
  previous: { path: string; lines: number } | null;
  takenAt?: number;
}

/** A line of a tail with what orders it among the lines of the app's other file. */
export interface Ordered {
  line: LogLine;
  /** Position of its batch in its ring (file lines: -1), to keep ring order among equal keys. */
  order: number;
  /**
   * Its arrival order: the `ArrivalOrder` key of its batch (ring lines) or of the time index entry at
   * or before it (file lines); without either, its time.
   */
  key: number;
  /** A file line: the file read and the offset after its newline (of the decompressed text of a `.gz`). */
  at?: CutPoint;
}

/** Where lines left out of an answer end: a log file and the offset after the newest one's newline (-1: unknown). */
export interface CutPoint {
  path: string;
  endOffset: number;
}

/** The bytes still allowed in an answer; `isCut` once a line did not fit. */
export interface Budget {
  left: number;
  isCut: boolean;
}

/** What the file part of a tail needs to know about the lines it reads. */
export interface FileReadOptions {
  decode: LineDecoder;
  /** The stream of the file's lines when a line does not say (JSON Lines say). */
  fileStream: LogStream;
  accept: (stream: LogStream) => boolean;
  /** Who file lines are told as, and the time of the oldest ring line (file lines are no later). */
  owner: { id: number; name: string; bound: number };
  /** Keep the bytes of lines that are not valid UTF-8 (`LogLine.bytes`). */
  withBytes: boolean;
  /** The Velos home's logs directory: the time index of a file kept elsewhere is under it (see `timeIndexPath`). */
  homeLogsDir?: string;
}

interface Found {
  /** The time the line's prefix or JSON record gives. */
  ownTs: number | null;
  line: LogLine;
  file: number;
  offset: number;
  end: number;
}

/**
 * Takes the bytes of `line` from the budget; false (and the budget marked cut) when they do not fit.
 */
export function spend(budget: Budget, line: LogLine): boolean {
  const size = logLineBytes(line);
  if (size > budget.left) {
    budget.isCut = true;
    return false;
  }
  budget.left -= size;
  return true;
}

/**
 * Up to `count` accepted lines of `file` older than the newest `overlap` ones, oldest first, then of
 * its rotated files. A line gets the time its prefix or JSON record gives, else the time the time
 * index gives (a line before its first entry: that entry's time; a file without one: its mtime), never
 * later than the next newer line; its order key is the
 * index entry at or before it (see `TimeCursor.keyAt`). `restOffset`: where the lines of the current
 * file not taken end; `cutAt`: the line that did not fit the budget.
 */
export async function readFileLines(
  file: TailedFile,
  options: FileReadOptions,
  count: number,
  overlap: number,
  budget: Budget,
): Promise<{ lines: Ordered[]; restOffset: number | null; cutAt: CutPoint | null }> {
  const { decode, fileStream, accept, owner } = options;
  const found: Found[] = [];
  const reads: { path: string; mtimeMs: number }[] = [];
  let fileIndex = 0;
  let restOffset: number | null = null;
  let cutAt: CutPoint | null = null;
  // the file being read
  const reading = { path: file.path };
  const visit: LineVisitor = (text, offset, end, bytes) => {
    const decoded = decode(text);
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
      if (bytes !== undefined && options.withBytes) {
        const body = bytesOfText(text, decoded.line, bytes);
        if (body !== undefined) line.bytes = body;
      }
      if (!spend(budget, line)) {
        cutAt = { path: reading.path, endOffset: end };
        return false;
      }
      found.push({ ownTs: decoded.ts, line, file: fileIndex, offset, end });
    }
    restOffset = fileIndex === 0 ? offset : null;
    return found.length < count;
  };
  const noteRead = (read: BackwardsRead): void => {
    reads[fileIndex] = { path: reading.path, mtimeMs: read.mtimeMs };
    if (read.hasLongLine !== true) return;
    budget.isCut = true;
    cutAt ??= { path: reading.path, endOffset: read.longLineEnd ?? -1 };
  };
  // the rotated files a tail reads are opened before it reads them: while it reads, rotations (a flood)
  // may compress or prune them (a low retention), and an open file stays readable (a tail of 30,000
  // lines came back ~3 % short, without a gap). Before the current file too when this writer rotated
  // (its current file holds only its own `fileLines`) and those are fewer than the tail needs.
  const isRotatedNeeded =
    file.previous !== null && count > file.fileLines - Math.min(overlap, file.fileLines);
  let opened = isRotatedNeeded ? await openGenerations(file) : null;
  try {
    const current = await readLinesBackwards(
      file.path,
      file.endOffset,
      Math.min(overlap, file.fileLines),
      visit,
      budget.left,
    );
    if (current === null) return { lines: [], restOffset: null, cutAt: null };
    noteRead(current);
    // the current file holds only `fileLines` lines: older ones are in the rotated files, newest first
    let skip = Math.max(0, overlap - file.fileLines);
    if (found.length < count && !budget.isCut) opened ??= await openGenerations(file);
    const generations = found.length < count && !budget.isCut ? (opened ?? []) : [];
    for (const generation of generations) {
      if (found.length >= count || budget.isCut) break;
      fileIndex += 1;
      reading.path = generation.path;
      const read = await readRotated(
        reading,
        skip,
        count - found.length,
        visit,
        budget.left,
        generation.handle,
      );
      // ring lines left to pass over go on into the next older file (the ring may span several small
      // ones); a file gone since the listing (pruned) leaves it unknown where they end: stop there
      if (read === null) {
        if (skip > 0) break;
        continue;
      }
      noteRead(read);
      skip -= read.skipped;
    }
    const lines = await orderFound(found, reads, file.endOffset, owner.bound, options.homeLogsDir);
    return { lines, restOffset, cutAt };
  } finally {
    await closeGenerations(opened ?? []);
  }
}

/** Rotated files a tail opens at most before reading (see `openGenerations`); older ones are opened as they are read. */
const MAX_OPENED_GENERATIONS = 32;

/** A rotated file to read, opened already when `handle` is set (`path` is then the file opened: plain or `.gz`). */
interface Generation {
  path: string;
  handle?: FileHandle;
}

/** `rotatedGenerations`, the newest MAX_OPENED_GENERATIONS of them opened (the `.gz` of one compressed since). */
async function openGenerations(file: TailedFile): Promise<Generation[]> {
  const generations: Generation[] = [];
  try {
    for (const path of await rotatedGenerations(file)) {
      if (generations.length >= MAX_OPENED_GENERATIONS) {
        generations.push({ path });
        continue;
      }
      let handle = await openLogForReading(path);
      let at = path;
      if (handle === null && !path.endsWith('.gz')) {
        at = `${path}.gz`;
        handle = await openLogForReading(at);
      }
      generations.push(handle === null ? { path } : { path: at, handle });
    }
  } catch (error) {
    await closeGenerations(generations);
    throw error;
  }
  return generations;
}

async function closeGenerations(generations: Generation[]): Promise<void> {
  await Promise.all(generations.map((generation) => generation.handle?.close()));
}

/**
 * Gives the lines found (newest first) their time and order key from the time index of their file,
 * read from its end down to the oldest of them; oldest first.
 */
async function orderFound(
  found: Found[],
  reads: { path: string; mtimeMs: number }[],
  endOffset: number,
  newestBound: number,
  homeLogsDir: string | undefined,
): Promise<Ordered[]> {
  const indexTs = new Array<number | undefined>(found.length);
  const keys = new Array<number | undefined>(found.length);
  let last = found.length - 1;
  while (last >= 0) {
    const { file } = found[last]!;
    let first = last;
    while (first > 0 && found[first - 1]!.file === file) first -= 1;
    const read = reads[file]!;
    const index = await readTimeIndexTail(read.path, found[last]!.offset, homeLogsDir);
    if (index.offsets.length > 0) {
      const end = file === 0 ? endOffset : Number.POSITIVE_INFINITY;
      const cursor = new TimeCursor(index, read.mtimeMs, end);
      // a line before the index's first entry arrived no later than that entry (the end of what the
      // file held when its writer opened it, or the first line written since): not at the file's mtime
      const firstTs = Math.floor(index.times[0]!);
      for (let i = last; i >= first; i -= 1) {
        indexTs[i] = cursor.at(found[i]!.offset) ?? firstTs;
        keys[i] = cursor.keyAt(found[i]!.offset);
      }
    }
    last = first - 1;
  }
  let bound = newestBound;
  const ordered: Ordered[] = [];
  for (let i = 0; i < found.length; i += 1) {
    const entry = found[i]!;
    const ts = entry.ownTs ?? Math.min(indexTs[i] ?? reads[entry.file]?.mtimeMs ?? 0, bound);
    entry.line.ts = ts;
    bound = Math.min(bound, ts);
    // without an index entry the line is ordered by its time, as before the index existed
    ordered.push({
      line: entry.line,
      order: -1,
      key: keys[i] ?? ts,
      at: { path: reads[entry.file]!.path, endOffset: entry.end },
    });
  }
  return ordered.reverse();
}

/** The bytes of the part of `text` that `decoded` is (a date prefix taken off), from the line's `bytes`. */
export function bytesOfText(text: string, decoded: string, bytes: Buffer): Buffer | undefined {
  if (decoded === text) return bytes;
  if (!text.endsWith(decoded)) return undefined;
  return bytes.subarray(Buffer.byteLength(text.slice(0, text.length - decoded.length)));
}

/**
 * The rotated files of `file`, newest first, from the one its writer rotated last (`previous`); with
 * none (the daemon started since, or nothing rotated yet) every rotated file named before the snapshot.
 */
async function rotatedGenerations(file: TailedFile): Promise<string[]> {
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

/**
 * Reads the rotated file `reading.path` backwards, gzipped or not (it may have been compressed since
 * the snapshot: then `reading.path` becomes the `.gz` file's, before its lines are visited); `opened`:
 * the file at `reading.path`, opened already.
 */
async function readRotated(
  reading: { path: string },
  skip: number,
  count: number,
  visit: LineVisitor,
  maxBytes: number,
  opened?: FileHandle,
): Promise<BackwardsRead | null> {
  // the skipped lines are ring lines (held in memory already), so they may be kept besides the budget
  const limits = { maxLineBytes: maxBytes, maxKeptBytes: maxBytes * 2 };
  if (reading.path.endsWith('.gz'))
    return readGzipLinesBackwards(reading.path, skip, count, visit, limits, opened);
  if (opened !== undefined)
    return readLinesBackwards(reading.path, Number.POSITIVE_INFINITY, skip, visit, maxBytes, opened);
  const plain = await readLinesBackwards(reading.path, Number.POSITIVE_INFINITY, skip, visit, maxBytes);
  if (plain !== null) return plain;
  reading.path = `${reading.path}.gz`;
  return readGzipLinesBackwards(reading.path, skip, count, visit, limits);
}
