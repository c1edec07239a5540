import { close, fstatSync, ftruncate, lstatSync, type Stats, writev } from 'node:fs';
import { APPEND_NO_FOLLOW, ErrorCodes, openNoFollow, VelosError } from '@velos/core';
import { type CronSchedule, scheduleCron } from '../cron-schedule.js';
import { endsMidLine } from '../last-byte.js';
import {
  directoryModeOf,
  LOG_FILE_MODE,
  messageOf,
  openAppend,
  renameFile,
  reopenAppend,
  statFd,
} from './append-file.js';
import type { DataHolder } from './data-holder.js';
import type { LogStream } from './line-batch.js';
import { lineCut, wholeLinesWritten } from './line-cut.js';
import { logOpenError } from './log-open-error.js';
import { DEFAULT_LOG_RETAIN, pruneRotated, type RotationOptions, rotatedPath } from './log-rotation.js';
import { QueuedBytes } from './queued-bytes.js';
import { RotationHousekeeper } from './rotation-housekeeper.js';
import { TimeIndexWriter } from './time-index.js';
import { cutTornLine, type FtruncateFunction, TORN_LINE_END } from './torn-line.js';
import { WriteBlocks } from './write-blocks.js';
import {
  copyPosition,
  countWritten,
  type FilePosition,
  MAX_COUNTED_ROTATIONS,
  MAX_KNOWN_ROTATIONS,
  startPosition,
  type WriterPosition,
} from './writer-position.js';
import {
  joinAdjacent,
  type QueuedWrite,
  splitFirst,
  takeBatch,
  takeUpToSeq,
  type WritevFunction,
  writeAllBuffers,
} from './writev-batch.js';

export type { FtruncateFunction } from './torn-line.js';
export type { WriterPosition } from './writer-position.js';
export type { WritevFunction } from './writev-batch.js';

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
  /** Keep the sparse time index of the file (default true): `<path>.tidx`, see `timeIndexPath`. */
  timeIndex?: boolean;
  /**
   * The Velos home's logs directory: the time index of a file kept elsewhere goes to its `.tidx/`
   * (see `timeIndexPath`); without it, beside the file.
   */
  homeLogsDir?: string;
}

interface FileOp {
  kind: 'rotate' | 'reopen' | 'verify' | 'close';
  resolve: (path: string | null) => void;
  /** Told the failure as well as `onError` (a reopen's caller reports it); without it the op resolves null. */
  reject?: (error: VelosError) => void;
}

const RESOLVED = Promise.resolve();

/** How often (by the lines' arrival times) a writer that writes checks that its path still names its file. */
export const MOVED_CHECK_MS = 1000;
/** After a failed reopen of a moved file, the next try (the failure is reported each time). */
const MOVED_RETRY_MS = 60_000;

/**
 * Appends whole-line buffers to one log file with at most one `writev` in flight: buffers queued
 * while a write runs go out together in the next one. It reports `isFull` above its high-water mark
 * and calls drain listeners once the queue is back under half of it. Failed writes are counted in
 * `droppedLines` and reported to `onError`, never retried forever; the position's `writtenFrom` marks
 * the line after the newest one lost, so that a tail never counts a lost line as one of the file's.
 * One that failed part-way keeps the lines it wrote whole and cuts the torn one off, so no line is
 * glued to a torn one. Rotation and reopening happen between two writes (rename, then open a new
 * file at the path; never copy-truncate), so every line lands in exactly one file. Size rotation
 * cuts a queued buffer at a line boundary (`lineCut`): a file stays within the limit unless it holds
 * a single line longer than it, and a line is never split.
 */
export class FileWriter {
  readonly path: string;
  readonly #homeLogsDir: string | undefined;
  #fd: number;
  #maxBytes: number | undefined;
  #cron: string | undefined;
  readonly #housekeeper: RotationHousekeeper;
  readonly #index: TimeIndexWriter | null;
  /**
   * False for a device or FIFO (`out_file: '/dev/null'`, as PM2's docs suggest to drop a stream): it
   * is written to only, never renamed by a rotation, truncated by a flush or given a time index.
   */
  readonly #isRegularFile: boolean;
  /** The permissions of the file's directory when it was opened: a reopen that makes it again uses them. */
  readonly #dirMode: number;
  #schedule: CronSchedule | null = null;
  #sizeRetryOffset = 0;
  #ops: FileOp[] = [];
  readonly #writev: WritevFunction;
  readonly #ftruncate: FtruncateFunction;
  readonly #onError: ((error: VelosError) => void) | undefined;
  readonly #queue: QueuedWrite[] = [];
  readonly #blocks = new WriteBlocks();
  #inFlight = false;
  #isPumpQueued = false;
  readonly #bytes: QueuedBytes;
  #seq = 0;
  #droppedLines = 0;
  /** A reopen asked by `reopenIfMoved` has not run yet. */
  #isReopenQueued = false;
  /** Arrival time of lines from which `#reopenIfMovedBefore` looks at the path again. */
  #nextMovedCheckAt = Number.NEGATIVE_INFINITY;
  #acceptedLines = 0;
  #settledLines = 0;
  /** See `WriterPosition.writtenFrom`: lines lost or discarded are settled but not in the file. */
  #writtenFrom = 0;
  #position: FilePosition;
  #truncations: { upToSeq: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  /**
   * Bytes of a torn line at the end of the file that a failed write left and that could not be cut
   * off: the next write starts with a newline, so that no line is glued to it.
   */
  #tornBytes = 0;
  #closed = false;
  #closing: Promise<void> | null = null;

  /**
   * Opens (creates with mode 0o640) `path` for appending; throws `INVALID_ARGUMENT` when the path
   * cannot be a log file, `IO_ERROR` when the host fails the open (see `logOpenError`). A cron
   * expression croner rejects is reported to `onError` (check it first with `checkCronExpression`).
   */
  constructor(options: FileWriterOptions) {
    this.path = options.path;
    this.#homeLogsDir = options.homeLogsDir;
    this.#bytes = new QueuedBytes(options.highWaterBytes);
    this.#writev = options.writev ?? ((fd, buffers, callback) => writev(fd, buffers, callback));
    this.#ftruncate = options.ftruncate ?? ftruncate;
    this.#onError = options.onError;
    const rotation = options.rotation ?? {};
    this.#housekeeper = new RotationHousekeeper({
      path: options.path,
      ...(options.homeLogsDir === undefined ? {} : { homeLogsDir: options.homeLogsDir }),
      retain: Math.max(0, rotation.retain ?? DEFAULT_LOG_RETAIN),
      compress: rotation.compress ?? true,
      onError: options.onError,
      onCompressed: (from, to) => {
        const position = this.#position;
        if (position.previous?.path === from) position.previous.path = to;
        for (const file of position.earlier) if (file.path === from) file.path = to;
        if (position.earlierIn === from) position.earlierIn = to;
      },
      onPruned: (deleted) => {
        const position = this.#position;
        if (position.earlierIn !== null && deleted.includes(position.earlierIn)) position.earlierIn = null;
        const kept = position.earlier.filter((file) => !deleted.includes(file.path));
        // pruned oldest first: the files rotated before one that was are gone too
        if (kept.length < position.earlier.length) position.forgotten = [];
        position.earlier = kept;
      },
    });
    let stats: Stats;
    try {
      this.#fd = openNoFollow(options.path, APPEND_NO_FOLLOW, LOG_FILE_MODE);
      stats = fstatSync(this.#fd);
    } catch (error) {
      throw logOpenError(options.path, error);
    }
    this.#isRegularFile = stats.isFile();
    this.#dirMode = directoryModeOf(options.path);
    this.#position = startPosition(this.#isRegularFile ? stats.size : 0, options.path);
    this.#index =
      options.timeIndex === false || !this.#isRegularFile
        ? null
        : new TimeIndexWriter(options.path, options.homeLogsDir);
    this.#maxBytes = this.#maxBytesOf(rotation);
    // a line left unfinished by a writer killed mid-write is ended before the first line of ours
    if (this.#isRegularFile && endsMidLine(options.path, stats.size)) this.#tornBytes = 1;
    this.#index?.resume(stats.size, stats.mtimeMs);
    this.#scheduleRotation(rotation.cron);
  }

  /**
   * CFG-2: takes new rotation settings in place (a config reload): the size limit applies from the
   * next write (a file already past it is rotated before that write), retention and compression from
   * the next rotation (a lower retention prunes at once), and a changed cron schedule starts over.
   */
  setRotation(rotation: RotationOptions): void {
    if (this.#closed || this.#closing) return;
    this.#maxBytes = this.#maxBytesOf(rotation);
    this.#sizeRetryOffset = 0;
    this.#housekeeper.setPolicy({
      retain: Math.max(0, rotation.retain ?? DEFAULT_LOG_RETAIN),
      compress: rotation.compress ?? true,
    });
    if (rotation.cron !== this.#cron) {
      this.#schedule?.stop();
      this.#schedule = null;
      this.#scheduleRotation(rotation.cron);
    }
  }

  #maxBytesOf(rotation: RotationOptions): number | undefined {
    return this.#isRegularFile && rotation.maxBytes !== undefined && rotation.maxBytes > 0
      ? rotation.maxBytes
      : undefined;
  }

  #scheduleRotation(cron: string | undefined): void {
    this.#cron = cron;
    if (cron === undefined || !this.#isRegularFile) return;
    this.#schedule = scheduleCron(
      cron,
      () => {
        this.rotate().catch(() => undefined);
      },
      (error) => this.#onError?.(error),
    );
  }

  /** Bytes accepted and not yet written (the write in flight included). */
  get queuedBytes(): number {
    return this.#bytes.queued;
  }

  /** The most bytes ever queued at once. */
  get peakQueuedBytes(): number {
    return this.#bytes.peak;
  }

  /** Lines lost to failed writes. */
  get droppedLines(): number {
    return this.#droppedLines;
  }

  /** True while more than the high-water mark is queued: sources should pause until `onDrain`. */
  get isFull(): boolean {
    return this.#bytes.isFull;
  }

  /** A copy of the current position (consistent with the lines written so far). */
  position(): WriterPosition {
    return copyPosition(this.#position, {
      acceptedLines: this.#acceptedLines,
      settledLines: this.#settledLines,
      writtenFrom: this.#writtenFrom,
    });
  }

  /** Lines accepted by `write` so far: the sequence number `write` gives the first line it is passed next. */
  get acceptedLines(): number {
    return this.#acceptedLines;
  }

  /** Whether the file keeps a time index (a device such as `/dev/null`, or `timeIndex: false`, does not). */
  get hasTimeIndex(): boolean {
    return this.#index !== null;
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
    this.#bytes.add(data.length);
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
    this.#bytes.onDrain(listener);
  }

  /** Resolves once everything queued before the call is written (or failed). */
  settled(): Promise<void> {
    return this.#bytes.settled();
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
   * nothing was rotated (empty file, closed writer, or a failure reported to `onError`); a file
   * removed meanwhile is not rotated either: a new one is made at the path (its directory too).
   */
  rotate(): Promise<string | null> {
    return this.#requestOp('rotate');
  }

  /**
   * Closes the file and opens `path` again between two writes, for external rotators that renamed
   * it away (a new file is created then, and its directory when that is gone too). Resolves the
   * path, or null when the writer is closed; rejects when the open failed (reported to `onError`
   * too; writing goes on to the old file).
   */
  reopen(): Promise<string | null> {
    return this.#requestOp('reopen', true);
  }

  /**
   * Reopens the file (as `reopen` does) when its path no longer names it: removed (its directory
   * too) or renamed away with nothing reopening it. Asked at each process start, as PM2 opens its
   * files at each start: a restart after `rm -rf logs/` wrote on to the deleted file, its space never
   * freed. Two syscalls when nothing moved; a failure goes to `onError`.
   */
  reopenIfMoved(): void {
    if (this.#closed || this.#closing || !this.#isRegularFile || this.#isReopenQueued) return;
    if (!this.#isMoved()) return;
    this.#isReopenQueued = true;
    this.reopen()
      .catch(() => undefined)
      .finally(() => {
        this.#isReopenQueued = false;
      });
  }

  /** True when the path no longer names the open file (two syscalls). */
  #isMoved(): boolean {
    let open: Stats;
    try {
      open = fstatSync(this.#fd);
    } catch {
      return false; // the descriptor is being replaced by an op under way: that op opens the path anew
    }
    try {
      const atPath = lstatSync(this.path, { throwIfNoEntry: false });
      return atPath === undefined || atPath.ino !== open.ino || atPath.dev !== open.dev;
    } catch (error) {
      // a file where its directory was names no file; a directory it may not search says nothing
      return (error as NodeJS.ErrnoException).code === 'ENOTDIR';
    }
  }

  /**
   * Between two writes, at most once per `MOVED_CHECK_MS` of the lines' arrival times: when the file was
   * removed (`rm -rf logs/`) or renamed away (logrotate without `copytruncate` or a `postrotate` that runs
   * `velos reloadLogs`), the path is opened anew before the lines are written, so they do not go on into
   * a deleted or moved file until the next start. Starts the reopen and returns true when one is due.
   */
  #reopenIfMovedBefore(ts: number): boolean {
    if (!this.#isRegularFile) return false;
    const next = this.#nextMovedCheckAt;
    // not due yet, unless the clock was set back (lines then arrive long "before" the check's time)
    if (ts < next && ts > next - MOVED_RETRY_MS - MOVED_CHECK_MS) return false;
    this.#nextMovedCheckAt = ts + MOVED_CHECK_MS;
    if (!this.#isMoved()) return false;
    this.#runOp({
      kind: 'reopen',
      resolve: () => undefined,
      // reported (onError) once; the next try comes a minute later, not at each write
      reject: () => {
        this.#nextMovedCheckAt = ts + MOVED_RETRY_MS;
      },
    });
    return true;
  }

  /**
   * Checks between two writes that the file ends where this writer's position says; when it does not
   * (another process appended or truncated it since the open: a replaced daemon's last write that
   * landed late, `echo >> file`), the position moves to the file's end and the lines written so far
   * no longer count as the file's last ones (`writtenFrom`), so that a tail reads the file as it is
   * instead of skipping its newest lines as if they were the ring's. Resolves when done (at once for a
   * closed writer or a device).
   */
  verifyPosition(): Promise<void> {
    if (!this.#isRegularFile) return Promise.resolve();
    return this.#requestOp('verify').then(() => undefined);
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

  #requestOp(kind: 'rotate' | 'reopen' | 'verify', isRejecting = false): Promise<string | null> {
    if (this.#closed || this.#closing) return Promise.resolve(null);
    this.#pumpQueuedNow();
    return new Promise((resolve, reject) => {
      this.#ops.push(isRejecting ? { kind, resolve, reject } : { kind, resolve });
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
        if (cut < first.data.length) splitFirst(this.#queue, cut);
      }
    }
    if (this.#reopenIfMovedBefore(this.#queue[0]!.ts)) return;
    const batch = takeBatch(this.#queue, room);
    this.#inFlight = true;
    if (this.#tornBytes > 0) {
      this.#writeAfterTornLine(batch);
      return;
    }
    this.#writeAll(joinAdjacent(batch), (error, written) => this.#afterWrite(batch, error, written));
  }

  #runOp(op: FileOp, isSizeRotation = false): void {
    this.#inFlight = true;
    const work =
      op.kind === 'rotate'
        ? this.#rotateNow(isSizeRotation)
        : op.kind === 'reopen'
          ? this.#reopenNow()
          : op.kind === 'verify'
            ? this.#verifyNow()
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
        const failure = new VelosError(
          ErrorCodes.IO_ERROR,
          `${op.kind} of ${this.path} failed: ${messageOf(error)}`,
          { cause: error },
        );
        this.#onError?.(failure);
        if (op.reject) op.reject(failure);
        else op.resolve(null);
        this.#pump();
      },
    );
  }

  async #rotateNow(isSizeRotation: boolean): Promise<string | null> {
    if (this.#closed || !this.#isRegularFile) return null;
    if (!isSizeRotation && (await statFd(this.#fd)).size === 0) return null;
    const target = rotatedPath(this.path, new Date());
    try {
      await renameFile(this.path, target);
    } catch (error) {
      // the file was removed (with its directory, a cleanup): it is gone, lines written on would be too
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await this.#reopenNow();
      return null;
    }
    const fd = await openAppend(this.path);
    const old = this.#fd;
    this.#fd = fd;
    close(old, () => undefined);
    const position = this.#position;
    this.#index?.rotated(target, position.endOffset);
    if (position.previous !== null) {
      position.earlier.unshift(position.previous);
      const dropped = position.earlier.length > MAX_KNOWN_ROTATIONS ? position.earlier.pop() : undefined;
      // past the paths kept, the lines only: a tail finds the file on disk by the order of the names
      if (dropped !== undefined) {
        position.forgotten.unshift(dropped.lines.out + dropped.lines.err);
        position.forgotten.length = Math.min(position.forgotten.length, MAX_COUNTED_ROTATIONS);
      }
    }
    position.previous = { path: target, lines: position.inFile };
    // lines this writer did not write went with the file
    if (position.earlierIn === this.path) position.earlierIn = target;
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
    const { fd, isReplaced, size } = await reopenAppend(this.path, this.#fd, this.#dirMode);
    this.#fd = fd;
    if (isReplaced) {
      // the old file was moved away: where to is unknown, so a tail stops at the new file
      this.#position.inFile = { out: 0, err: 0 };
      this.#position.previous = null;
      this.#position.earlier = [];
      this.#position.forgotten = [];
      if (this.#position.earlierIn === this.path) this.#position.earlierIn = null;
    }
    // bytes this writer did not write: a file made anew by someone else, or appended to
    if (isReplaced ? size > 0 : size > this.#position.endOffset) this.#position.earlierIn = this.path;
    if (isReplaced || size < this.#position.endOffset) {
      this.#index?.reset();
      this.#tornBytes = endsMidLine(this.path, size) ? 1 : 0;
    }
    this.#position.endOffset = size;
    this.#sizeRetryOffset = 0;
    return this.path;
  }

  async #verifyNow(): Promise<null> {
    if (this.#closed) return null;
    const { size, mtimeMs } = await statFd(this.#fd);
    const position = this.#position;
    if (size === position.endOffset) return null;
    // the settled lines are in the file, but not (all) at its end: a tail reads the file as it is
    this.#writtenFrom = this.#settledLines;
    if (size > position.endOffset) position.earlierIn = this.path;
    if (size < position.endOffset) this.#index?.reset();
    this.#index?.resume(size, mtimeMs);
    this.#tornBytes = size > 0 && endsMidLine(this.path, size) ? 1 : 0;
    position.endOffset = size;
    this.#sizeRetryOffset = 0;
    return null;
  }

  /** Writes all of `buffers` to the file; `done` gets the error and the bytes written before it. */
  #writeAll(buffers: Buffer[], done: (error: NodeJS.ErrnoException | null, written: number) => void): void {
    writeAllBuffers(this.#writev, this.#fd, buffers, done);
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
      countWritten(this.#position, item.stream, item.lines);
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
    this.#bytes.settle(bytes);
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
        countWritten(this.#position, item.stream, part.lines);
        kept = offset + part.bytes;
      }
      lost += item.lines - part.lines;
      this.#settledLines += item.lines;
      item.holder?.release();
      offset += item.data.length;
    });
    this.#droppedLines += lost;
    // the lost lines are the batch's last: every line settled from here on is in the file
    if (lost > 0) this.#writtenFrom = this.#settledLines;
    this.#position.endOffset = start + kept;
    const finish = (): void => {
      this.#inFlight = false;
      this.#bytes.settle(offset);
      this.#onError?.(
        new VelosError(
          ErrorCodes.IO_ERROR,
          `writing ${this.path} failed, ${lost} line${lost === 1 ? '' : 's'} lost: ${error.message}`,
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
    // still in flight: no rotation, reopen or truncation moves the descriptor meanwhile
    cutTornLine(this.#fd, this.#position.endOffset, start + written, this.#ftruncate, (isCut) => {
      if (!isCut) {
        // it stays, at the end of the file: the next write ends it first
        this.#tornBytes = written - kept;
        this.#position.endOffset = start + written;
      }
      finish();
    });
  }

  /** Writes `batch` after the newline that ends the torn line at the end of the file. */
  #writeAfterTornLine(batch: QueuedWrite[]): void {
    this.#writeAll([TORN_LINE_END, ...joinAdjacent(batch)], (error, written) => {
      if (written > 0) {
        this.#tornBytes = 0;
        this.#position.endOffset += TORN_LINE_END.length;
      }
      this.#afterWrite(batch, error, Math.max(0, written - TORN_LINE_END.length));
    });
  }

  #truncate(): void {
    const truncations = this.#truncations;
    this.#truncations = [];
    const upToSeq = Math.max(...truncations.map((t) => t.upToSeq));
    const discarded = takeUpToSeq(this.#queue, upToSeq);
    for (const item of discarded) {
      this.#settledLines += item.lines;
      item.holder?.release();
    }
    this.#writtenFrom = this.#settledLines;
    this.#inFlight = true;
    // a device or FIFO holds nothing to empty (ftruncate fails on them with EINVAL)
    const truncate: FtruncateFunction = this.#isRegularFile
      ? this.#ftruncate
      : (_fd, _len, done) => done(null);
    truncate(this.#fd, 0, (error) => {
      if (!error) {
        this.#index?.reset();
        this.#tornBytes = 0;
        this.#position = startPosition(0, this.path);
      }
      this.#bytes.settle(discarded.reduce((sum, item) => sum + item.data.length, 0));
      const failure = error
        ? Promise.resolve(`cannot truncate ${this.path}: ${error.message}`)
        : this.#isRegularFile
          ? this.#deleteRotated()
          : Promise.resolve(null);
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
      await pruneRotated(this.path, 0, this.#homeLogsDir);
      return null;
    } catch (error) {
      return `cannot delete the rotated files of ${this.path}: ${messageOf(error)}`;
    }
  }
}
