import { close, fstatSync, ftruncate, openSync, writev } from 'node:fs';
import { ErrorCodes, VelosError } from '@velos/core';
import type { LogStream } from './line-batch.js';

/** Writes `buffers` at the end of `fd` (like `fs.writev`); injectable so tests can simulate a slow disk. */
export type WritevFunction = (
  fd: number,
  buffers: Buffer[],
  callback: (error: NodeJS.ErrnoException | null, bytesWritten: number) => void,
) => void;

/** How a log file writer behaves. */
export interface FileWriterOptions {
  path: string;
  /** Queued bytes (in flight included) from which the writer reports itself full. */
  highWaterBytes: number;
  writev?: WritevFunction;
  onError?: (error: VelosError) => void;
}

/** Where a writer stands: file offset after its last write and lines written by stream, since open or truncate. */
export interface WriterPosition {
  endOffset: number;
  written: Record<LogStream, number>;
}

interface QueuedWrite {
  data: Buffer;
  stream: LogStream;
  lines: number;
  seq: number;
}

const MAX_BUFFERS_PER_WRITE = 1024;
const FILE_MODE = 0o640;

/**
 * Appends whole-line buffers to one log file with at most one `writev` in flight: buffers queued
 * while a write runs go out together in the next one. It reports `isFull` above its high-water mark
 * and calls drain listeners once the queue is back under half of it. Failed writes are counted in
 * `droppedLines` and reported to `onError`, never retried forever.
 */
export class FileWriter {
  readonly path: string;
  readonly #fd: number;
  readonly #highWaterBytes: number;
  readonly #writev: WritevFunction;
  readonly #onError: ((error: VelosError) => void) | undefined;
  #queue: QueuedWrite[] = [];
  #inFlight = false;
  #queuedBytes = 0;
  #peakQueuedBytes = 0;
  #enqueuedBytes = 0;
  #settledBytes = 0;
  #seq = 0;
  #droppedLines = 0;
  #position: WriterPosition;
  #drainListeners: (() => void)[] = [];
  #waiters: { target: number; resolve: () => void }[] = [];
  #truncations: { upToSeq: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #closed = false;

  /** Opens (creates with mode 0o640) `path` for appending; throws `IO_ERROR` when it cannot. */
  constructor(options: FileWriterOptions) {
    this.path = options.path;
    this.#highWaterBytes = Math.max(1, options.highWaterBytes);
    this.#writev = options.writev ?? ((fd, buffers, callback) => writev(fd, buffers, callback));
    this.#onError = options.onError;
    try {
      this.#fd = openSync(options.path, 'a', FILE_MODE);
      this.#position = { endOffset: fstatSync(this.#fd).size, written: { out: 0, err: 0 } };
    } catch (error) {
      throw new VelosError(ErrorCodes.IO_ERROR, `cannot open log file ${options.path}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /** Bytes accepted and not yet written (the write in flight included). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** The most bytes ever queued at once. */
  get peakQueuedBytes(): number {
    return this.#peakQueuedBytes;
  }

  /** Lines lost to failed writes. */
  get droppedLines(): number {
    return this.#droppedLines;
  }

  /** True while more than the high-water mark is queued: sources should pause until `onDrain`. */
  get isFull(): boolean {
    return this.#queuedBytes >= this.#highWaterBytes;
  }

  /** A copy of the current position (consistent with the lines written so far). */
  position(): WriterPosition {
    return { endOffset: this.#position.endOffset, written: { ...this.#position.written } };
  }

  /** Queues whole lines of `stream` for writing. */
  write(data: Buffer, stream: LogStream, lines: number): void {
    if (this.#closed) {
      this.#droppedLines += lines;
      return;
    }
    if (data.length === 0) return;
    this.#seq += 1;
    this.#queue.push({ data, stream, lines, seq: this.#seq });
    this.#queuedBytes += data.length;
    this.#enqueuedBytes += data.length;
    if (this.#queuedBytes > this.#peakQueuedBytes) this.#peakQueuedBytes = this.#queuedBytes;
    this.#pump();
  }

  /** Calls `listener` once, when the queue falls under half the high-water mark. */
  onDrain(listener: () => void): void {
    if (!this.isFull) {
      queueMicrotask(listener);
      return;
    }
    this.#drainListeners.push(listener);
  }

  /** Resolves once everything queued before the call is written (or failed). */
  settled(): Promise<void> {
    const target = this.#enqueuedBytes;
    if (this.#settledBytes >= target) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ target, resolve }));
  }

  /** Empties the file in place; lines queued before the call are discarded, later ones follow. */
  truncate(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#truncations.push({ upToSeq: this.#seq, resolve, reject });
      this.#pump();
    });
  }

  /** Writes what is queued, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.settled();
    this.#closed = true;
    await new Promise<void>((resolve) => close(this.#fd, () => resolve()));
  }

  #pump(): void {
    if (this.#inFlight) return;
    if (this.#truncations.length > 0) {
      this.#truncate();
      return;
    }
    if (this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, MAX_BUFFERS_PER_WRITE);
    this.#inFlight = true;
    this.#writeAll(
      batch.map((item) => item.data),
      (error) => this.#afterWrite(batch, error),
    );
  }

  #writeAll(buffers: Buffer[], done: (error: NodeJS.ErrnoException | null) => void): void {
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    this.#writev(this.#fd, buffers, (error, bytesWritten) => {
      if (error || bytesWritten >= total) {
        done(error);
        return;
      }
      if (bytesWritten <= 0) {
        done(new Error('the write made no progress'));
        return;
      }
      this.#writeAll(remainingAfter(buffers, bytesWritten), done);
    });
  }

  #afterWrite(batch: QueuedWrite[], error: NodeJS.ErrnoException | null): void {
    let bytes = 0;
    for (const item of batch) {
      bytes += item.data.length;
      if (error) this.#droppedLines += item.lines;
      else this.#position.written[item.stream] += item.lines;
    }
    if (!error) this.#position.endOffset += bytes;
    this.#inFlight = false;
    this.#settle(bytes);
    if (error) {
      const lines = batch.reduce((sum, item) => sum + item.lines, 0);
      this.#onError?.(
        new VelosError(
          ErrorCodes.IO_ERROR,
          `writing ${this.path} failed, ${lines} lines lost: ${error.message}`,
          {
            cause: error,
          },
        ),
      );
    }
    this.#pump();
  }

  #truncate(): void {
    const truncations = this.#truncations;
    this.#truncations = [];
    const upToSeq = Math.max(...truncations.map((t) => t.upToSeq));
    const discarded = this.#queue.filter((item) => item.seq <= upToSeq);
    this.#queue = this.#queue.filter((item) => item.seq > upToSeq);
    this.#inFlight = true;
    ftruncate(this.#fd, 0, (error) => {
      this.#inFlight = false;
      if (!error) this.#position = { endOffset: 0, written: { out: 0, err: 0 } };
      this.#settle(discarded.reduce((sum, item) => sum + item.data.length, 0));
      for (const truncation of truncations) {
        if (error) {
          truncation.reject(
            new VelosError(ErrorCodes.IO_ERROR, `cannot truncate ${this.path}: ${error.message}`, {
              cause: error,
            }),
          );
        } else truncation.resolve();
      }
      this.#pump();
    });
  }

  #settle(bytes: number): void {
    this.#queuedBytes -= bytes;
    this.#settledBytes += bytes;
    if (this.#waiters.length > 0) {
      const ready = this.#waiters.filter((waiter) => waiter.target <= this.#settledBytes);
      this.#waiters = this.#waiters.filter((waiter) => waiter.target > this.#settledBytes);
      for (const waiter of ready) waiter.resolve();
    }
    if (this.#drainListeners.length > 0 && this.#queuedBytes <= this.#highWaterBytes / 2) {
      const listeners = this.#drainListeners;
      this.#drainListeners = [];
      for (const listener of listeners) listener();
    }
  }
}

function remainingAfter(buffers: Buffer[], bytesWritten: number): Buffer[] {
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
