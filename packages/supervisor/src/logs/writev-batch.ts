import type { DataHolder } from './data-holder.js';
import type { LogStream } from './line-batch.js';
import { linesAround } from './line-cut.js';

/** Writes `buffers` at the end of `fd` (like `fs.writev`); injectable so tests can simulate a slow disk. */
export type WritevFunction = (
  fd: number,
  buffers: Buffer[],
  callback: (error: NodeJS.ErrnoException | null, bytesWritten: number) => void,
) => void;

/** Lines a file writer queued for one write of its file. */
export interface QueuedWrite {
  /** The data written: a copy (see `WriteBlocks`), or the caller's buffer in memory it holds for the writer. */
  data: Buffer;
  /** The memory `data` lies in, released once it is written; null for a copy of its own. */
  holder: DataHolder | null;
  stream: LogStream;
  lines: number;
  seq: number;
  /** Epoch ms the lines arrived (an order key, see `ArrivalOrder`). */
  ts: number;
  /** The lines follow lines of the other stream of the app: the time index records where they start. */
  startsRun: boolean;
}

/** Most queued buffers one write takes. */
export const MAX_BUFFERS_PER_WRITE = 1024;

/** Removes and returns the next batch of `queue`: up to 1024 buffers, as many as fit in `room` bytes (at least one). */
export function takeBatch(queue: QueuedWrite[], room: number): QueuedWrite[] {
  let count = 0;
  let bytes = 0;
  while (count < queue.length && count < MAX_BUFFERS_PER_WRITE) {
    bytes += queue[count]!.data.length;
    if (count > 0 && bytes > room) break;
    count += 1;
  }
  return queue.splice(0, count);
}

/**
 * Splits the first buffer of `queue` at `cut` (a line boundary): the head fills this file, the rest
 * starts the next one. The rest holds the memory too (released once it is written).
 */
export function splitFirst(queue: QueuedWrite[], cut: number): void {
  const first = queue[0]!;
  const [headLines, restLines] = linesAround(first.data, first.lines, cut);
  const head: QueuedWrite = { ...first, data: first.data.subarray(0, cut), lines: headLines };
  // the rest starts a new file, which gets an entry at its start anyway
  const rest: QueuedWrite = { ...first, data: first.data.subarray(cut), lines: restLines, startsRun: false };
  first.holder?.hold();
  queue.splice(0, 1, head, rest);
}

/** Removes and returns the buffers of `queue` queued up to `upToSeq` (which a truncation discards). */
export function takeUpToSeq(queue: QueuedWrite[], upToSeq: number): QueuedWrite[] {
  const count = queue.findIndex((item) => item.seq > upToSeq);
  return queue.splice(0, count === -1 ? queue.length : count);
}

/**
 * The buffers of `batch` for one writev: queued buffers that follow each other in memory (copies in one
 * block, batches in one slab of the ring) go out as one buffer, so the write passes a few buffers, not
 * one per read.
 */
export function joinAdjacent(batch: readonly QueuedWrite[]): Buffer[] {
  const buffers: Buffer[] = [];
  let memory: ArrayBufferLike | null = null;
  let start = 0;
  let end = 0;
  for (const { data } of batch) {
    if (data.buffer === memory && data.byteOffset === end) {
      end += data.length;
      continue;
    }
    if (memory !== null) buffers.push(Buffer.from(memory, start, end - start));
    memory = data.buffer;
    start = data.byteOffset;
    end = start + data.length;
  }
  if (memory !== null) buffers.push(Buffer.from(memory, start, end - start));
  return buffers;
}

/** What is left of `buffers` once their first `bytesWritten` bytes are written (a short writev). */
export function remainingAfter(buffers: readonly Buffer[], bytesWritten: number): Buffer[] {
  let skip = bytesWritten;
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}

/**
 * Writes all of `buffers` to `fd` with `writev`, again after a short write; `done` gets the error and
 * the bytes written before it (all of them without one).
 */
export function writeAllBuffers(
  writev: WritevFunction,
  fd: number,
  buffers: Buffer[],
  done: (error: NodeJS.ErrnoException | null, written: number) => void,
  written = 0,
): void {
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  writev(fd, buffers, (error, bytesWritten) => {
    if (error) {
      done(error, written);
      return;
    }
    if (bytesWritten >= total) {
      done(null, written + total);
      return;
    }
    if (bytesWritten <= 0) {
      done(new Error('the write made no progress'), written);
      return;
    }
    writeAllBuffers(writev, fd, remainingAfter(buffers, bytesWritten), done, written + bytesWritten);
  });
}
