import { close, fstat, fstatSync, ftruncate, open, rename, type Stats, writev } from 'node:fs';
import { APPEND_NO_FOLLOW, ErrorCodes, noFollowError, openNoFollow, VelosError } from '@velos/core';
import { type CronSchedule, scheduleCron } from '../cron-schedule.js';
import { endsMidLine } from '../last-byte.js';
import type { DataHolder } from './data-holder.js';
import type { LogStream } from './line-batch.js';
import { lineCut, linesAround, wholeLinesWritten } from './line-cut.js';
import { DEFAULT_LOG_RETAIN, pruneRotated, type RotationOptions, rotatedPath } from './log-rotation.js';
import { RotationHousekeeper } from './rotation-housekeeper.js';
import { TimeIndexWriter } from './time-index.js';
import { WriteBlocks } from './write-blocks.js';

/** Writes `buffers` at the end of `fd` (like `fs.writev`); injectable so tests can simulate a slow disk. */
export type WritevFunction = (
  fd: number,
  buffers: Buffer[],
  callback: (error: NodeJS.ErrnoException | null, bytesWritten: number) => void,
) => void;

/** Cuts `fd` to `length` bytes (like `fs.ftruncate`); injectable so tests can simulate a disk where that fails too. */
export type FtruncateFunction = (
  fd: number,
  length: number,
  callback: (error: NodeJS.ErrnoException | null) => void,
) => void;

/** How a log file writer behaves. */
export interface FileWriterOptions {
  path: string;
  /** Queued bytes (in flight included) from which the writer reports itself full. */
  highWaterBytes: number;
  writev?: WritevFunction;
  ftruncate?: FtruncateFunction;
  onError?: (error: VelosError) => void;
  /** Size and cron rotation, retention and compression of the rotated files. */
  rotation?: RotationOptions;
  /** Keep the sparse time index `<path>.tidx` beside the file (default true). */
  timeIndex?: boolean;
}

/** Where a writer stands, consistent with the lines written so far. */
export interface WriterPosition {
  /** Offset after the last write in the current file. */
  endOffset: number;
  /** Lines written by stream since open or truncate, across rotations. */
  written: Record<LogStream, number>;
  /** Lines of `written` that went to the current file (the rest went to rotated files). */
  inFile: Record<LogStream, number>;
  /** The file the latest rotation renamed away (it may have been gzipped or pruned since), with its lines. */
  previous: { path: string; lines: Record<LogStream, number> } | null;
  /** Lines accepted by `write` since the writer was created: the sequence number of the next line. */
  acceptedLines: number;
  /** Lines of `acceptedLines` the writer is done with (written, failed or discarded by a truncate), in order. */
  settledLines: number;
}

interface FileOp {
  kind: 'rotate' | 'reopen' | 'close';
  resolve: (path: string | null) => void;
}

interface QueuedWrite {
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

const MAX_BUFFERS_PER_WRITE = 1024;
const RESOLVED = Promise.resolve();
const FILE_MODE = 0o640;
/** Ends a torn line that could not be cut off, before the next write (see `#tornBytes`). */
const NEWLINE = Buffer.from('\n');

/**
 * Appends whole-line buffers to one log file with at most one `writev` in flight: buffers queued
 * while a write runs go out together in the next one. It reports `isFull` above its high-water mark
 * and calls drain listeners once the queue is back under half of it. Failed writes are counted in
 * `droppedLines` and reported to `onError`, never retried forever; one that failed part-way keeps the
 * lines it wrote whole and cuts the torn one off, so no line is glued to a torn one. Rotation and
 * reopening happen between two writes (rename, then open a new file at the path; never
 * copy-truncate), so every line lands in exactly one file. Size rotation cuts a queued buffer at a
 * line boundary (`lineCut`): a file stays within the limit unless it holds a single line longer than
 * it, and a line is never split.
 */
export class FileWriter {
  readonly path: string;
  #fd: number;
  readonly #highWaterBytes: number;
  readonly #maxBytes: number | undefined;
  readonly #housekeeper: RotationHousekeeper;
  readonly #index: TimeIndexWriter | null;
  #schedule: CronSchedule | null = null;
  #sizeRetryOffset = 0;
  #ops: FileOp[] = [];
  readonly #writev: WritevFunction;
  readonly #ftruncate: FtruncateFunction;
  readonly #onError: ((error: VelosError) => void) | undefined;
  #queue: QueuedWrite[] = [];
  readonly #blocks = new WriteBlocks();
  #inFlight = false;
  #isPumpQueued = false;
  #queuedBytes = 0;
  #peakQueuedBytes = 0;
  #enqueuedBytes = 0;
  #settledBytes = 0;
  #seq = 0;
  #droppedLines = 0;
  #acceptedLines = 0;
  #settledLines = 0;
  #position: Omit<WriterPosition, 'acceptedLines' | 'settledLines'>;
  #drainListeners: (() => void)[] = [];
  #waiters: { target: number; resolve: () => void }[] = [];
  #truncations: { upToSeq: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  /**
   * Bytes of a torn line at the end of the file that a failed write left and that could not be cut
   * off: the next write starts with a newline, so that no line is glued to it.
   */
  #tornBytes = 0;
  #closed = false;
  #closing: Promise<void> | null = null;

  /**
   * Opens (creates with mode 0o640) `path` for appending; throws `IO_ERROR` when it cannot. A cron
   * expression croner rejects is reported to `onError` (check it first with `checkCronExpression`).
   */
  constructor(options: FileWriterOptions) {
    this.path = options.path;
    this.#highWaterBytes = Math.max(1, options.highWaterBytes);
    this.#writev = options.writev ?? ((fd, buffers, callback) => writev(fd, buffers, callback));
    this.#ftruncate = options.ftruncate ?? ftruncate;
    this.#onError = options.onError;
    const rotation = options.rotation ?? {};
    this.#index = options.timeIndex === false ? null : new TimeIndexWriter(options.path);
    this.#maxBytes = rotation.maxBytes !== undefined && rotation.maxBytes > 0 ? rotation.maxBytes : undefined;
    this.#housekeeper = new RotationHousekeeper({
      path: options.path,
      retain: Math.max(0, rotation.retain ?? DEFAULT_LOG_RETAIN),
      compress: rotation.compress ?? true,
      onError: options.onError,
      onCompressed: (from, to) => {
        const previous = this.#position.previous;
        if (previous?.path === from) previous.path = to;
      },
    });
    try {
      this.#fd = openNoFollow(options.path, APPEND_NO_FOLLOW, FILE_MODE);
      const stats = fstatSync(this.#fd);
      this.#position = {
        endOffset: stats.size,
        written: { out: 0, err: 0 },
        inFile: { out: 0, err: 0 },
        previous: null,
      };
      // a line left unfinished by a writer killed mid-write is ended before the first line of ours
      if (endsMidLine(options.path, stats.size)) this.#tornBytes = 1;
      this.#index?.resume(stats.size, stats.mtimeMs);
    } catch (error) {
      throw new VelosError(ErrorCodes.IO_ERROR, `cannot open log file ${options.path}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (rotation.cron !== undefined) {
      this.#schedule = scheduleCron(
        rotation.cron,
        () => {
          this.rotate().catch(() => undefined);
        },
        (error) => this.#onError?.(error),
      );
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
    const { endOffset, written, inFile, previous } = this.#position;
    return {
      endOffset,
      written: { ...written },
      inFile: { ...inFile },
      previous: previous && { path: previous.path, lines: { ...previous.lines } },
      acceptedLines: this.#acceptedLines,
      settledLines: this.#settledLines,
    };
  }

  /** Lines accepted by `write` so far: the sequence number `write` gives the first line it is passed next. */
  get acceptedLines(): number {
    return this.#acceptedLines;
  }

  /** Writes the time index entries not on disk yet, so that a reader of `<path>.tidx` sees every line written. */
  flushTimeIndex(): void {
    this.#index?.flush();
  }

  /**
   * Queues whole lines of `stream`, which arrived at `ts` (epoch ms), for writing. Without `holder` the
   * writer keeps a copy: `data` may be reused once the call returns. With it, `data` lies in memory that
   * `holder` keeps unchanged while held: the writer writes `data` itself, holds it until then and
   * releases it once written, failed or discarded (the recent-lines ring's copy, so a line read is
   * copied once, not twice). `startsRun`: the lines follow lines written to the app's other file,
   * so the time index gets an entry where they start (see `ArrivalOrder`).
   */
  write(
    data: Buffer,
    stream: LogStream,
    lines: number,
    ts = Date.now(),
    holder?: DataHolder | null,
    startsRun = false,
  ): void {
    if (this.#closed) {
      this.#droppedLines += lines;
      return;
    }
    if (data.length === 0) return;
    this.#acceptedLines += lines;
    this.#seq += 1;
    if (holder) {
      holder.hold();
      this.#queue.push({ data, holder, stream, lines, seq: this.#seq, ts, startsRun });
    } else {
      const copy = this.#blocks.copy(data);
      this.#queue.push({ data: copy.data, holder: copy.block, stream, lines, seq: this.#seq, ts, startsRun });
    }
    this.#queuedBytes += data.length;
    this.#enqueuedBytes += data.length;
    if (this.#queuedBytes > this.#peakQueuedBytes) this.#peakQueuedBytes = this.#queuedBytes;
    // after the current task: the other batches of the same read (a line completed from the read
    // before, then the read's whole lines) go out in the same writev
    if (this.#inFlight || this.#isPumpQueued) return;
    this.#isPumpQueued = true;
    // a plain promise job: Node's queueMicrotask wraps each callback in an AsyncResource (a few % of the
    // daemon's CPU with ten apps logging, one call per read)
    RESOLVED.then(this.#queuedPump);
  }

  readonly #queuedPump = (): void => {
    if (!this.#isPumpQueued) return;
    this.#isPumpQueued = false;
    this.#pump();
  };

  /** Starts the write queued for after the current task now, so that an operation requested next comes after it. */
  #pumpQueuedNow(): void {
    if (!this.#isPumpQueued) return;
    this.#isPumpQueued = false;
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

  /**
   * Empties the file in place and deletes its rotated files (plain, gzipped and their time indexes);
   * lines queued before the call are discarded, later ones follow.
   */
  truncate(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#pumpQueuedNow();
    return new Promise((resolve, reject) => {
      this.#truncations.push({ upToSeq: this.#seq, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Renames the file to its rotated name (see `rotatedPath`) between two writes and continues in a
   * new file at the path; an empty file is left alone. Resolves the rotated path, or null when
   * nothing was rotated (empty file, closed writer, or a failure reported to `onError`).
   */
  rotate(): Promise<string | null> {
    return this.#requestOp('rotate');
  }

  /**
   * Closes the file and opens `path` again between two writes, for external rotators that renamed
   * it away (a new file is created then). Resolves the path, or null when the writer is closed or
   * the open failed (reported to `onError`; writing goes on to the old file).
   */
  reopen(): Promise<string | null> {
    return this.#requestOp('reopen');
  }

  /** Writes what is queued, then closes the file; waits for the compression and pruning under way. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#schedule?.stop();
    this.#closing = (async () => {
      await this.settled();
      await new Promise<string | null>((resolve) => {
        this.#pumpQueuedNow();
        this.#ops.push({ kind: 'close', resolve });
        this.#pump();
      });
      await this.#housekeeper.idle();
    })();
    return this.#closing;
  }

  #requestOp(kind: 'rotate' | 'reopen'): Promise<string | null> {
    if (this.#closed || this.#closing) return Promise.resolve(null);
    this.#pumpQueuedNow();
    return new Promise((resolve) => {
      this.#ops.push({ kind, resolve });
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#inFlight || this.#closed) return;
    if (this.#truncations.length > 0) {
      this.#truncate();
      return;
    }
    const op = this.#ops.shift();
    if (op) {
      this.#runOp(op);
      return;
    }
    if (this.#queue.length === 0) return;
    let room = Number.POSITIVE_INFINITY;
    if (this.#maxBytes !== undefined && this.#position.endOffset >= this.#sizeRetryOffset) {
      room = this.#maxBytes - this.#position.endOffset;
      const first = this.#queue[0]!;
      if (first.data.length > room) {
        const cut = lineCut(first.data, room, this.#position.endOffset === 0);
        if (cut === 0) {
          this.#runOp({ kind: 'rotate', resolve: () => undefined }, true);
          return;
        }
        if (cut < first.data.length) this.#splitFirst(cut);
      }
    }
    const batch = this.#takeBatch(room);
    this.#inFlight = true;
    if (this.#tornBytes > 0) {
      this.#writeAfterTornLine(batch);
      return;
    }
    this.#writeAll(joinAdjacent(batch), (error, written) => this.#afterWrite(batch, error, written));
  }

  /** Splits the first queued buffer at `cut` (a line boundary): the head fills this file, the rest starts the next. */
  #splitFirst(cut: number): void {
    const first = this.#queue[0]!;
    const [headLines, restLines] = linesAround(first.data, first.lines, cut);
    const head: QueuedWrite = { ...first, data: first.data.subarray(0, cut), lines: headLines };
    // the rest starts a new file, which gets an entry at its start anyway
    const rest: QueuedWrite = {
      ...first,
      data: first.data.subarray(cut),
      lines: restLines,
      startsRun: false,
    };
    first.holder?.hold();
    this.#queue.splice(0, 1, head, rest);
  }

  /** Up to 1024 queued buffers, as many as fit in `room` bytes (at least one). */
  #takeBatch(room: number): QueuedWrite[] {
    let count = 0;
    let bytes = 0;
    while (count < this.#queue.length && count < MAX_BUFFERS_PER_WRITE) {
      bytes += this.#queue[count]!.data.length;
      if (count > 0 && bytes > room) break;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }

  #runOp(op: FileOp, isSizeRotation = false): void {
    this.#inFlight = true;
    const work =
      op.kind === 'rotate'
        ? this.#rotateNow(isSizeRotation)
        : op.kind === 'reopen'
          ? this.#reopenNow()
          : this.#closeNow();
    work.then(
      (path) => {
        this.#inFlight = false;
        op.resolve(path);
        this.#pump();
      },
      (error: unknown) => {
        this.#inFlight = false;
        if (isSizeRotation) this.#sizeRetryOffset = this.#position.endOffset + (this.#maxBytes ?? 0);
        this.#onError?.(
          new VelosError(ErrorCodes.IO_ERROR, `${op.kind} of ${this.path} failed: ${messageOf(error)}`, {
            cause: error,
          }),
        );
        op.resolve(null);
        this.#pump();
      },
    );
  }

  async #rotateNow(isSizeRotation: boolean): Promise<string | null> {
    if (this.#closed) return null;
    if (!isSizeRotation && (await statFd(this.#fd)).size === 0) return null;
    const target = rotatedPath(this.path, new Date());
    await new Promise<void>((resolve, reject) =>
      rename(this.path, target, (error) => (error ? reject(error) : resolve())),
    );
    const fd = await openAppend(this.path);
    const old = this.#fd;
    this.#fd = fd;
    close(old, () => undefined);
    const position = this.#position;
    this.#index?.rotated(target, position.endOffset);
    position.previous = { path: target, lines: position.inFile };
    position.inFile = { out: 0, err: 0 };
    position.endOffset = 0;
    this.#sizeRetryOffset = 0;
    this.#tornBytes = 0;
    this.#housekeeper.add(target);
    return target;
  }

  async #closeNow(): Promise<null> {
    this.#closed = true;
    this.#index?.close();
    await new Promise<void>((resolve) => close(this.#fd, () => resolve()));
    return null;
  }

  async #reopenNow(): Promise<string | null> {
    if (this.#closed) return null;
    const fd = await openAppend(this.path);
    const old = this.#fd;
    let before: Stats;
    let after: Stats;
    try {
      [before, after] = await Promise.all([statFd(old), statFd(fd)]);
    } catch (error) {
      close(fd, () => undefined);
      throw error;
    }
    this.#fd = fd;
    close(old, () => undefined);
    if (before.ino !== after.ino || before.dev !== after.dev) {
      // the old file was moved away: where to is unknown, so a tail stops at the new file
      this.#position.inFile = { out: 0, err: 0 };
      this.#position.previous = null;
    }
    if (before.ino !== after.ino || before.dev !== after.dev || after.size < this.#position.endOffset) {
      this.#index?.reset();
      this.#tornBytes = endsMidLine(this.path, after.size) ? 1 : 0;
    }
    this.#position.endOffset = after.size;
    this.#sizeRetryOffset = 0;
    return this.path;
  }

  /** Writes all of `buffers`; `done` gets the error and the bytes written before it (all of them without one). */
  #writeAll(
    buffers: Buffer[],
    done: (error: NodeJS.ErrnoException | null, written: number) => void,
    written = 0,
  ): void {
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    this.#writev(this.#fd, buffers, (error, bytesWritten) => {
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
      this.#writeAll(remainingAfter(buffers, bytesWritten), done, written + bytesWritten);
    });
  }

  #afterWrite(batch: QueuedWrite[], error: NodeJS.ErrnoException | null, written: number): void {
    if (error) {
      this.#afterFailedWrite(batch, error, written);
      return;
    }
    let bytes = 0;
    for (const item of batch) {
      bytes += item.data.length;
      item.holder?.release();
      this.#settledLines += item.lines;
      this.#position.written[item.stream] += item.lines;
      this.#position.inFile[item.stream] += item.lines;
    }
    if (this.#index) {
      let offset = this.#position.endOffset;
      for (const item of batch) {
        this.#index.note(offset, item.ts, item.startsRun);
        offset += item.data.length;
      }
    }
    this.#position.endOffset += bytes;
    this.#inFlight = false;
    this.#settle(bytes);
    this.#pump();
  }

  /**
   * A write failed after `written` bytes of `batch` reached the file: the lines written whole count
   * as written, the rest as dropped, and a torn line at the end is cut off again before the next write.
   */
  #afterFailedWrite(batch: QueuedWrite[], error: NodeJS.ErrnoException, written: number): void {
    const start = this.#position.endOffset;
    const parts = wholeLinesWritten(batch, written);
    let offset = 0;
    let kept = 0;
    let lost = 0;
    batch.forEach((item, i) => {
      const part = parts[i]!;
      if (part.bytes > 0) {
        this.#index?.note(start + offset, item.ts, item.startsRun);
        this.#position.written[item.stream] += part.lines;
        this.#position.inFile[item.stream] += part.lines;
        kept = offset + part.bytes;
      }
      lost += item.lines - part.lines;
      this.#settledLines += item.lines;
      item.holder?.release();
      offset += item.data.length;
    });
    this.#droppedLines += lost;
    this.#position.endOffset = start + kept;
    const finish = (): void => {
      this.#inFlight = false;
      this.#settle(offset);
      this.#onError?.(
        new VelosError(
          ErrorCodes.IO_ERROR,
          `writing ${this.path} failed, ${lost} lines lost: ${error.message}`,
          {
            cause: error,
          },
        ),
      );
      this.#pump();
    };
    if (written === kept) {
      finish();
      return;
    }
    this.#cutTornLine(start + written, (isCut) => {
      if (!isCut) {
        // it stays, at the end of the file: the next write ends it first
        this.#tornBytes = written - kept;
        this.#position.endOffset = start + written;
      }
      finish();
    });
  }

  /**
   * Cuts the file back to `endOffset` (the end of its last whole line) if it ends at `fileEnd`, where
   * the torn line after it ends. Runs while the failed write is still in flight, so no rotation,
   * reopen or truncation moves the descriptor meanwhile; O_APPEND writes then go to the new end.
   */
  #cutTornLine(fileEnd: number, done: (isCut: boolean) => void): void {
    const fd = this.#fd;
    const endOffset = this.#position.endOffset;
    fstat(fd, (statError, stats) => {
      // another process appended to the file after the torn line: cutting would lose its lines
      if (statError || stats.size !== fileEnd) {
        done(false);
        return;
      }
      this.#ftruncate(fd, endOffset, (error) => done(!error));
    });
  }

  /** Writes `batch` after the newline that ends the torn line at the end of the file. */
  #writeAfterTornLine(batch: QueuedWrite[]): void {
    this.#writeAll([NEWLINE, ...joinAdjacent(batch)], (error, written) => {
      if (written > 0) {
        this.#tornBytes = 0;
        this.#position.endOffset += NEWLINE.length;
      }
      this.#afterWrite(batch, error, Math.max(0, written - NEWLINE.length));
    });
  }

  #truncate(): void {
    const truncations = this.#truncations;
    this.#truncations = [];
    const upToSeq = Math.max(...truncations.map((t) => t.upToSeq));
    const discarded = this.#queue.filter((item) => item.seq <= upToSeq);
    this.#queue = this.#queue.filter((item) => item.seq > upToSeq);
    for (const item of discarded) {
      this.#settledLines += item.lines;
      item.holder?.release();
    }
    this.#inFlight = true;
    this.#ftruncate(this.#fd, 0, (error) => {
      if (!error) {
        this.#index?.reset();
        this.#tornBytes = 0;
        this.#position = {
          endOffset: 0,
          written: { out: 0, err: 0 },
          inFile: { out: 0, err: 0 },
          previous: null,
        };
      }
      this.#settle(discarded.reduce((sum, item) => sum + item.data.length, 0));
      const failure = error
        ? Promise.resolve(`cannot truncate ${this.path}: ${error.message}`)
        : this.#deleteRotated();
      void failure.then((message) => {
        this.#inFlight = false;
        for (const truncation of truncations) {
          if (message === null) truncation.resolve();
          else truncation.reject(new VelosError(ErrorCodes.IO_ERROR, message, { cause: error ?? undefined }));
        }
        this.#pump();
      });
    });
  }

  /** Deletes every rotated file of the path (once compressions under way are done); the failure, else null. */
  async #deleteRotated(): Promise<string | null> {
    try {
      await this.#housekeeper.idle();
      await pruneRotated(this.path, 0);
      return null;
    } catch (error) {
      return `cannot delete the rotated files of ${this.path}: ${messageOf(error)}`;
    }
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

function statFd(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) =>
    fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats))),
  );
}

function openAppend(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, APPEND_NO_FOLLOW, FILE_MODE, (error, fd) =>
      error ? reject(noFollowError(path, error)) : resolve(fd),
    ),
  );
}

/**
 * The buffers of `batch` for one writev: queued buffers that follow each other in memory (copies in one
 * block, batches in one slab of the ring) go out as one buffer, so the write passes a few buffers, not
 * one per read.
 */
function joinAdjacent(batch: QueuedWrite[]): Buffer[] {
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
