import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { listRotated } from '../logs/log-rotation.js';
import type { LineTimes } from './log-target.js';
import { readTimeIndex, startOffsetFor, TimeCursor, type TimeIndex } from './time-lookup.js';
import { createWrittenTimes } from './written-times.js';

/** One log file of an app, with what is known of its times. */
export interface LogSource {
  path: string;
  /** The stream its lines came from; undefined for a merged file. */
  stream: 'out' | 'err' | undefined;
  isCompressed: boolean;
  /** Set for a rotated file (nothing is written to it any more). */
  isRotated?: true;
  /** Set when its lines' times are the ones written in them, not the time index's (see `LogQueryTarget.lineTimes`). */
  lineTimes?: 'written';
  /** Epoch ms of its last line (the rotation time for a rotated file, else its mtime). */
  endTs: number;
  /** Bytes of the file (compressed size for `.gz`). */
  bytes: number;
  index: TimeIndex;
}

/** The time range and budget of a scan. */
export interface ScanRange {
  since?: number;
  until?: number;
  /** Epoch ms after which the scan stops (the answer says it is partial). */
  deadline: number;
  /** Only lines it keeps are counted and visited (one instance's lines of a shared JSON Lines file). */
  keep?: (data: Buffer, start: number, end: number) => boolean;
}

/** Bytes read at a time past a part's end, to finish the line that crosses it. */
const TAIL_READ_BYTES = 16 * 1024;
/** Bytes read before a part's start, so that the lines before its first one can be parsed again (see `ParseGaps`). */
const LOOK_BEHIND_BYTES = 64 * 1024;

/**
 * Called for each line in range: the bytes are `data[start, end)`, the line starts at byte `offset` of
 * the file (of its decompressed bytes for a `.gz` file); return false to stop this file, or a number n
 * to pass over the next n lines in range (counted, not visited: how a sample skips cheaply). A
 * passed-over line the scan's `watch` points at is still visited, with `isPassedOver` true (its
 * answer is ignored, but false, which stops, and `VISIT_NEXT`, which ends the pass). The lines before
 * it in `data` are the lines before it in the file.
 */
export type LineVisitor = (
  data: Buffer,
  start: number,
  end: number,
  ts: number | undefined,
  isPassedOver: boolean,
  offset: number,
) => unknown;

/** A `LineVisitor`'s answer that has the next line visited, also from a passed-over line (a sample reading an error's trace). */
export const VISIT_NEXT = -1;

/** Offsets (ascending) in a chunk of the lines a sample must not pass over unseen (see `findErrorHints`). */
export type LineWatch = (data: Buffer) => number[];

const CHUNK_BYTES = 1024 * 1024;

/**
 * The two chunk buffers a scan reads into, in turn. A view that reads many parts one after the other
 * passes the same pair to each `scanSource`: two fresh 1 MiB buffers per part cost more than reading
 * them (new memory is faulted in page by page; 1M lines in 11 parts: ~5 % of the view's CPU).
 */
export type ChunkBuffers = readonly [Buffer, Buffer];

/** A pair of chunk buffers for `scanSource` to reuse over scans that do not overlap in time. */
export function createChunkBuffers(): ChunkBuffers {
  return [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
}
/** A line longer than this is cut when read back (capture keeps lines up to 2 MiB). */
const MAX_LINE_BYTES = 4 * 1024 * 1024;
const NEWLINE = 10;
/** Lines between two looks at the clock within a chunk (a slow regex must not overrun the deadline by much). */
const DEADLINE_CHECK_LINES = 1024;

/**
 * The log files of an app, oldest first within each stream: rotated siblings (gzipped or not), then
 * the current file; files whose times lie wholly outside the range are left out (by their arrival:
 * with `lineTimes: 'written'` a file's dates do not bound its lines', none is left out). A file's
 * time index is read from under `homeLogsDir` when it is kept elsewhere (see `timeIndexPath`).
 */
export async function listLogSources(
  files: { outPath: string; errPath: string; lineTimes?: LineTimes; homeLogsDir?: string },
  range: { since?: number; until?: number },
): Promise<LogSource[]> {
  const isWritten = files.lineTimes === 'written';
  const merged = files.outPath === files.errPath;
  const sets: [string, LogSource['stream']][] = merged
    ? [[files.outPath, undefined]]
    : [
        [files.outPath, 'out'],
        [files.errPath, 'err'],
      ];
  const sources: LogSource[] = [];
  for (const [path, stream] of sets) {
    const rotated = (await listRotated(path)).reverse();
    const candidates = [
      ...rotated.map((file) => ({
        path: file.path,
        isCompressed: file.isCompressed,
        isRotated: true as const,
        endTs: stampTime(file.stamp),
      })),
      { path, isCompressed: false, endTs: Number.NaN },
    ];
    let previousEnd = Number.NEGATIVE_INFINITY;
    for (const candidate of candidates) {
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(candidate.path);
      } catch {
        continue;
      }
      const endTs = Number.isNaN(candidate.endTs) ? info.mtimeMs : candidate.endTs;
      const startTs = previousEnd;
      previousEnd = endTs;
      if (!isWritten && range.since !== undefined && endTs < range.since) continue;
      if (!isWritten && range.until !== undefined && startTs > range.until) continue;
      const index = await readTimeIndex(candidate.path, files.homeLogsDir);
      const source: LogSource = { ...candidate, stream, endTs, bytes: info.size, index };
      if (isWritten) source.lineTimes = 'written';
      sources.push(source);
    }
  }
  return sources;
}

/**
 * Reads `source` forward in 1 MiB chunks (a `.gz` file decompressed as a stream) and calls `visit`
 * for every line whose time is in the range (lines without a known time only when the range is open),
 * yielding to the event loop between chunks: its arrival time from the time index, or with
 * `lineTimes: 'written'` the time written in it (`createWrittenTimes`; the lines read before a part's
 * start tell the time its first lines continue; given only with a range). `part` keeps to the lines that start at a byte
 * offset in `[from, to)` (of the decompressed bytes for a `.gz` file); the bytes just before `from`
 * are in the `data` a visit gets, as the lines before it. Resolves the lines in range, and `completed`
 * false when the deadline stopped it, with `resumeAt` the offset to read on from. `buffers`: the chunk
 * buffers to read a plain file into (fresh ones without), never two scans' at the same time.
 */
export async function scanSource(
  source: LogSource,
  range: ScanRange,
  visit: LineVisitor,
  watch?: LineWatch,
  part?: { from: number; to: number },
  buffers?: ChunkBuffers,
): Promise<{ lines: number; completed: boolean; resumeAt?: number }> {
  const isBounded = range.since !== undefined || range.until !== undefined;
  const startOffset =
    part !== undefined ? part.from : source.isCompressed ? 0 : startOffsetFor(source.index, range.since);
  const endOffset = part?.to ?? Number.POSITIVE_INFINITY;
  // a part starts within the file: its read starts a little before, on a line's middle that is dropped
  const readFrom =
    source.isCompressed || part === undefined ? startOffset : Math.max(0, startOffset - LOOK_BEHIND_BYTES);
  let isMidLine = !source.isCompressed && readFrom > 0 && readFrom < startOffset;
  // the offset of the first line not yet visited (where a scan the deadline stopped goes on)
  let resumeAt = startOffset;
  const cursor = new TimeCursor(
    source.index,
    source.endTs,
    source.isCompressed ? Number.POSITIVE_INFINITY : source.bytes,
  );
  const isArrival = source.lineTimes !== 'written';
  // written times are read to filter by them (a line each): without a range a reader that wants them
  // reads them itself (the log engine does), so an open range costs what it did
  const writtenTime = !isArrival && isBounded ? createWrittenTimes() : undefined;
  let carry: Buffer | null = null;
  let carryOffset = readFrom;
  let stopped = false;
  let lines = 0;
  let skip = 0;
  let sinceCheck = 0;
  let isLate = false;
  const consume = (chunk: Buffer, chunkOffset: number): void => {
    let data = chunk;
    let base = chunkOffset;
    if (carry !== null) {
      data = Buffer.concat([carry, chunk]);
      base = carryOffset;
      carry = null;
    }
    if (isMidLine) {
      const first = data.indexOf(NEWLINE);
      if (first === -1) return;
      data = data.subarray(first + 1);
      base += first + 1;
      isMidLine = false;
    }
    let start = 0;
    const hits = watch === undefined ? undefined : watch(data);
    let hit = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      const offset = base + start;
      const lineStart = start;
      start = nl + 1;
      if (offset >= endOffset) {
        stopped = true;
        return;
      }
      if (++sinceCheck === DEADLINE_CHECK_LINES) {
        sinceCheck = 0;
        if (Date.now() > range.deadline) {
          isLate = true;
          stopped = true;
          resumeAt = Math.max(offset, startOffset);
          return;
        }
      }
      const end = nl > lineStart && data[nl - 1] === 13 ? nl - 1 : nl;
      // written times: every line is timed, those before the start and those passed over too (the
      // next line may take its time)
      let ts = writtenTime?.(data.toString('utf8', lineStart, Math.min(end, lineStart + MAX_LINE_BYTES)));
      if (offset < startOffset) continue;
      if (isBounded) {
        if (isArrival) ts = cursor.at(offset);
        if (ts === undefined || (range.since !== undefined && ts < range.since)) continue;
        if (range.until !== undefined && ts > range.until) {
          // arrival times only grow; written ones may go back (lines merged from several logs)
          if (!isArrival) continue;
          stopped = true;
          return;
        }
      }
      if (range.keep !== undefined && !range.keep(data, lineStart, end)) continue;
      lines += 1;
      if (skip > 0) {
        skip -= 1;
        if (hits === undefined) continue;
        while (hit < hits.length && hits[hit]! < lineStart) hit += 1;
        if (hit === hits.length || hits[hit]! >= nl) continue;
        if (!isBounded && isArrival) ts = cursor.at(offset);
        const passed = visit(data, lineStart, Math.min(end, lineStart + MAX_LINE_BYTES), ts, true, offset);
        if (passed === false) {
          stopped = true;
          return;
        }
        if (passed === VISIT_NEXT) skip = 0;
        continue;
      }
      if (!isBounded && isArrival) ts = cursor.at(offset);
      const answer = visit(data, lineStart, Math.min(end, lineStart + MAX_LINE_BYTES), ts, false, offset);
      if (answer === false) {
        stopped = true;
        return;
      }
      if (typeof answer === 'number') skip = Math.max(0, answer);
    }
    resumeAt = Math.max(base + start, startOffset);
    if (start < data.length) {
      // a line longer than the cap loses its middle: only its first bytes and the rest's newline count
      carry =
        data.length - start > MAX_LINE_BYTES
          ? data.subarray(start, start + MAX_LINE_BYTES)
          : data.subarray(start);
      carryOffset = base + start;
    }
  };
  if (source.isCompressed) {
    const { createGunzip } = await import('node:zlib');
    const stream = createReadStream(source.path).pipe(createGunzip({ chunkSize: 256 * 1024 }));
    let offset = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        consume(chunk, offset);
        offset += chunk.length;
        if (stopped && !isLate) break;
        if (isLate || Date.now() > range.deadline) return { lines, completed: false, resumeAt };
        await new Promise(setImmediate);
      }
    } catch {
      // a truncated gzip file: what was read counts
    } finally {
      stream.destroy();
    }
    return { lines, completed: true };
  }
  const handle = await open(source.path, 'r').catch(() => null);
  if (handle === null) return { lines, completed: true };
  try {
    // two buffers in turn: the last partial line of a chunk (a view of one buffer, `carry`) is copied to
    // the front of the other and the next bytes are read after it, so no chunk is copied whole
    const chunks = buffers ?? createChunkBuffers();
    let turn = 0;
    let position = readFrom;
    let tail = TAIL_READ_BYTES;
    for (;;) {
      const buffer = chunks[turn]!;
      turn ^= 1;
      let kept = 0;
      let base = position;
      const held = carry as Buffer | null;
      if (held !== null && held.length <= CHUNK_BYTES / 2) {
        held.copy(buffer, 0);
        kept = held.length;
        base = carryOffset;
        carry = null;
      }
      // a part's read ends at its end, then goes on in short reads (each twice the last) only to
      // finish the line across it
      const room = CHUNK_BYTES - kept;
      let length = room;
      if (position < endOffset) length = Math.min(room, endOffset - position);
      else {
        length = Math.min(room, tail);
        tail *= 2;
      }
      const { bytesRead } = await handle.read(buffer, kept, length, position);
      if (bytesRead === 0) break;
      // a longer carry (a line of more than half a chunk) is joined to the chunk by `consume`
      consume(buffer.subarray(0, kept + bytesRead), base);
      position += bytesRead;
      if (stopped && !isLate) break;
      if (isLate || Date.now() > range.deadline) return { lines, completed: false, resumeAt };
      await new Promise(setImmediate);
    }
  } finally {
    await handle.close();
  }
  return { lines, completed: true };
}

/** True when a file of `stream` (undefined: a merged file, both streams) may hold lines of `wanted`. */
export function hasStream(
  stream: 'out' | 'err' | undefined,
  wanted: 'out' | 'err' | 'all' | undefined,
): boolean {
  return wanted === undefined || wanted === 'all' || stream === undefined || stream === wanted;
}

/** `2026-11-22T01-02-03.456Z` (a rotated file's name) as epoch ms. */
function stampTime(stamp: string): number {
  return Date.parse(stamp.replace(/T(\d\d)-(\d\d)-(\d\d)/, 'T$1:$2:$3'));
}
