import type { Readable } from 'node:stream';
import { ErrorCodes, type LogFormat, type LogLine, type LogStreamFilter, VelosError } from '@velos/core';
import { findAppEventLines } from './app-event-lines.js';
import { type ArrivalOrder, arrivalOrderOf } from './arrival-order.js';
import type { FileWriter, FileWriterOptions, WritevFunction } from './file-writer.js';
import { invalidLineBytes, type LineBatch, type LogStream, lineStrings } from './line-batch.js';
import {
  createLineDecoder,
  createLineEncoder,
  defaultClassify,
  type LineClassifier,
  type LineDecoder,
  type LineEncoder,
  structureLogLine,
} from './line-format.js';
import { LineRing } from './line-ring.js';
import { LineSplitter } from './line-splitter.js';
import type { RotationOptions } from './log-rotation.js';
import { type TailFile, type TailSnapshot, type TailSource, tailLines } from './log-tail.js';
import { PipeCapture } from './pipe-capture.js';
import { reopenFailure } from './reopen-failures.js';
import {
  acquireFileWriter,
  fileWriterUsers,
  releaseFileWriter,
  retargetFileWriter,
} from './shared-writers.js';

/** Default number of lines the ring keeps (both streams together). */
export const DEFAULT_RING_LINES = 1000;
/** Default cap of the ring's bytes, so that a few huge lines cannot hold megabytes per process. */
export const DEFAULT_RING_BYTES = 1024 * 1024;
/** Default longest line kept whole; longer lines are cut into pieces of this size, each a line. */
export const DEFAULT_MAX_LINE_BYTES = 2 * 1024 * 1024;
/** Default bytes queued for a file above which the child's pipe is paused. */
export const DEFAULT_WRITE_HIGH_WATER_BYTES = 2 * 1024 * 1024;

/** How long `close` reads pipes that have not ended yet (a grandchild may hold one open) before dropping them. */
const CLOSE_DRAIN_MS = 200;

/** How one process's output is captured. */
export interface LogPipelineOptions {
  /** Process id (`LogLine.id`). */
  id: number;
  /** Process name (`LogLine.name`). */
  name: string;
  /** Absolute path of the stdout log file. */
  outPath: string;
  /** Absolute path of the stderr log file; equal to `outPath` when logs are merged. */
  errPath: string;
  /** PM2's `log_file`: every line of both streams is also written here (ignored when it is outPath or errPath). */
  combinedPath?: string;
  format: LogFormat;
  /** Plain format only: prefix every line with a timestamp, `iso` or a pattern like `YYYY-MM-DD HH:mm:ss.SSS Z`. */
  dateFormat?: string;
  /** Lines kept in memory for instant tails (both streams together), default 1000. */
  ringLines?: number;
  /** Bytes the ring may hold at most, default 1 MiB. */
  ringBytes?: number;
  /** Level of a line for the JSON format, default `info` for out, `error` for err; with `structure`, JSON lines are parsed (LOG-5). */
  classify?: LineClassifier;
  /** Longest line kept whole (newline excluded), default 2 MiB; longer ones are cut into lines of this size. */
  maxLineBytes?: number;
  /** Bytes queued for one file above which the children's pipes are paused, default 2 MiB. */
  writeHighWaterBytes?: number;
  /** Replaces `fs.writev` for the log files (tests simulate a slow disk with it). */
  writev?: WritevFunction;
  /** Told about write failures (`IO_ERROR`); the lines concerned are counted in `dropped`. */
  onError?: (error: VelosError) => void;
  /** Rotation of both files (by size, by cron), retention and gzip of the rotated files; none by default. */
  rotation?: RotationOptions;
  /**
   * The Velos home's logs directory: the time index of a file kept elsewhere (`out_file =
   * "/var/log/…"`) goes to its `.tidx/` (see `timeIndexPath`); without it, beside each file.
   */
  homeLogsDir?: string;
  /** OBS-2: told each line of the child that may be an app event (see `findAppEventLines`); the line is logged all the same. */
  onAppEventLine?: (line: string) => void;
  /** OBS-6: told each line of the child that may be a custom metric report (`velos_metric`); logged all the same. */
  onAppMetricLine?: (line: string) => void;
  /**
   * Sees every batch of captured lines as it is accepted (the live log engine); it must be cheap. Returns
   * the error lines it counted in the batch (an estimate when it samples). `batch.data` is valid only
   * during the call (captured pipes are read into one reused buffer): keep strings or copies, not it.
   */
  onLines?: (batch: LineBatch) => number | undefined;
  /**
   * The files may hold lines of this process that no ring holds (the pipeline of a kept process made
   * anew): a tail of some of the processes sharing them then says where its older lines may be.
   */
  hasEarlierLines?: boolean;
}

/** CFG-2: the files and their settings a pipeline writes to, as `retarget` changes them in place. */
export type LogTarget = Pick<
  LogPipelineOptions,
  'outPath' | 'errPath' | 'combinedPath' | 'format' | 'dateFormat' | 'classify' | 'rotation'
>;

/** Line and byte counters of one pipeline since it was created (`flush` does not reset them). */
export interface LogPipelineCounters {
  out: number;
  err: number;
  /** Lines lost because a file write failed. */
  dropped: number;
  /** Bytes of the captured lines (newlines included). */
  bytes: number;
  /** Lines at level error or fatal, as `onLines` (the live log engine) counted them. */
  errors?: number;
  /** Bytes queued for the files now, the write in flight included. */
  queuedBytes?: number;
  /** The most bytes ever queued for one file at once. */
  peakQueuedBytes?: number;
}

/** How a live subscriber that falls behind its lines is spared the work of those it cannot take. */
export interface LivePacing {
  /** True while the subscriber takes no more lines (its reader is behind). */
  isBehind(): boolean;
  /** `lines` lines of `stream` came while it was behind: they are left out of what it gets. */
  onSkipped(lines: number, stream: LogStream): void;
}

/** The log capture of one process: files, ring buffer, counters and live subscribers. */
export interface LogPipeline {
  /** The Velos home's logs directory the time indexes of files kept elsewhere are in (see `timeIndexPath`). */
  readonly homeLogsDir: string | undefined;
  /**
   * Reads a child's stdout or stderr until it ends; a new run calls attach again with the new pid. Its
   * file is opened anew first when its path no longer names it (removed, or renamed away).
   */
  attach(stream: Readable, which: 'out' | 'err', pid: number): void;
  /** Writes one line produced by the daemon itself about this process (e.g. a spawn failure). */
  note(which: 'out' | 'err', line: string): void;
  /** The last `lines` lines (oldest first) of the chosen stream(s): from the ring buffer, then the files beyond it. */
  tail(request: { lines: number; stream: LogStreamFilter }): Promise<LogLine[]>;
  /** Resolves when a flush under way is done, so that a snapshot taken next is consistent. */
  tailReady(): Promise<void>;
  /**
   * The ring and file positions a tail reads, taken at once (see `tailLines` for several processes sharing
   * files); live lines still waiting for their delivery are delivered first (a follow's first batch).
   */
  tailSnapshot(): TailSnapshot;
  /**
   * Live lines, delivered in batches; returns the unsubscribe function. With `pacing`, the lines that
   * come while the subscriber is behind are counted to it instead (and not even split into lines when
   * every subscriber is behind).
   */
  subscribe(listener: (lines: LogLine[]) => void, pacing?: LivePacing): () => void;
  /**
   * Empties the log files (truncate in place, the open descriptors keep working) and the ring buffer;
   * a file removed or renamed away is opened anew at its path.
   */
  flush(): Promise<void>;
  /**
   * Closes and reopens the log files by path between two writes (a file renamed away is created anew,
   * with its directory); resolves the paths reopened. A file that cannot be opened rejects, after
   * the others are reopened (`IO_ERROR` naming each such file); it is still written to the old file.
   */
  reopen(): Promise<string[]>;
  /**
   * CFG-2: writes to other files, or with other rotation or line format settings, from the next line
   * on, the attached pipes kept (no restart): lines accepted before go to the old files. A new file
   * that cannot be opened throws (`INVALID_ARGUMENT` or `IO_ERROR`, see `logOpenError`) and changes
   * nothing.
   */
  retarget(target: LogTarget): void;
  counters(): LogPipelineCounters;
  /** Writes the time index entries (see `timeIndexPath`) still in memory, before a query reads the files. */
  flushTimeIndex(): void;
  /**
   * Stops reading the attached pipes, and those attached later, until `unsuspend` (a daemon hand-over,
   * `velos update`): what the children write meanwhile stays in their pipes for the next daemon.
   * Resolves once every line read so far (a partial one as a line) is written and time-indexed.
   */
  suspend(): Promise<void>;
  /** Reads the pipes again after `suspend`. */
  unsuspend(): void;
  /** Resolves once everything attached so far has ended and been written. */
  drained(): Promise<void>;
  /** Writes what is pending and closes the files. */
  close(): Promise<void>;
}

/**
 * Creates the log capture of one process and opens its files (append mode, created 0o640); the
 * pipelines of the instances of one app share the writer of each file. Throws when a file cannot be
 * opened (`INVALID_ARGUMENT` or `IO_ERROR`, see `logOpenError`); a rotation cron croner rejects goes to `onError` (see `checkCronExpression`).
 * @example
 * const logs = createLogPipeline({ id: 0, name: 'api', outPath, errPath, format: 'plain' });
 * logs.attach(child.stdout, 'out', child.pid);
 * logs.attach(child.stderr, 'err', child.pid);
 * const last = await logs.tail({ lines: 50, stream: 'all' });
 */
export function createLogPipeline(options: LogPipelineOptions): LogPipeline {
  return new Pipeline(options);
}

class Pipeline implements LogPipeline {
  readonly homeLogsDir: string | undefined;
  readonly #id: number;
  readonly #name: string;
  readonly #maxLineBytes: number;
  #encode!: LineEncoder;
  #decode!: LineDecoder;
  #hasStreamInFile!: boolean;
  /** JSON format: gives live and ring lines the level and fields their file records get (LOG-5). */
  #enrich: ((line: LogLine) => LogLine) | undefined;
  #writers: Record<LogStream, FileWriter>;
  /** Separate out and err files: orders their batches for a tail that merges them. */
  #order: ArrivalOrder | null;
  #combined: FileWriter | null = null;
  #target: LogTarget;
  readonly #writerOptions: Omit<FileWriterOptions, 'path' | 'rotation'>;
  readonly #ring: LineRing;
  readonly #captures = new Set<PipeCapture>();
  readonly #listeners = new Map<(lines: LogLine[]) => void, LivePacing | undefined>();
  readonly #onError: ((error: VelosError) => void) | undefined;
  readonly #onAppEventLine: ((line: string) => void) | undefined;
  readonly #onAppMetricLine: ((line: string) => void) | undefined;
  readonly #onLines: ((batch: LineBatch) => number | undefined) | undefined;
  #live: LogLine[] = [];
  #liveScheduled = false;
  #counters = { out: 0, err: 0, bytes: 0, errors: 0 };
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;
  #isSuspended = false;
  /** See `LogPipelineOptions.hasEarlierLines`; a flush empties the files. */
  #hasEarlierLines: boolean;

  constructor(options: LogPipelineOptions) {
    this.#id = options.id;
    this.#hasEarlierLines = options.hasEarlierLines === true;
    this.#name = options.name;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#target = options;
    this.#setFormat(options);
    this.#onError = options.onError;
    this.#onAppEventLine = options.onAppEventLine;
    this.#onAppMetricLine = options.onAppMetricLine;
    this.#onLines = options.onLines;
    this.#ring = new LineRing(
      options.ringLines ?? DEFAULT_RING_LINES,
      options.ringBytes ?? DEFAULT_RING_BYTES,
    );
    this.homeLogsDir = options.homeLogsDir;
    this.#writerOptions = {
      highWaterBytes: options.writeHighWaterBytes ?? DEFAULT_WRITE_HIGH_WATER_BYTES,
      writev: options.writev,
      onError: options.onError,
      homeLogsDir: options.homeLogsDir,
    };
    const writerOptions = { ...this.#writerOptions, rotation: options.rotation };
    const out = acquireFileWriter({ ...writerOptions, path: options.outPath });
    let err = out;
    if (options.errPath !== options.outPath) {
      try {
        err = acquireFileWriter({ ...writerOptions, path: options.errPath });
      } catch (error) {
        releaseFileWriter(out).catch(() => undefined);
        throw error;
      }
    }
    this.#writers = { out, err };
    this.#order = out === err ? null : arrivalOrderOf(out);
    const combined = options.combinedPath;
    if (combined !== undefined && combined !== options.outPath && combined !== options.errPath) {
      try {
        this.#combined = acquireFileWriter({ ...writerOptions, path: combined });
      } catch (error) {
        for (const writer of this.#uniqueWriters()) releaseFileWriter(writer).catch(() => undefined);
        throw error;
      }
    }
  }

  attach(stream: Readable, which: LogStream, pid: number): void {
    this.#assertOpen();
    // a process starts: a file removed or renamed away since is opened anew at its path
    this.#writers[which].reopenIfMoved();
    this.#combined?.reopenIfMoved();
    const onAppEventLine = this.#onAppEventLine ?? ignoreLine;
    const onAppMetricLine = this.#onAppMetricLine;
    const capture = new PipeCapture(stream, which, pid, this.#maxLineBytes, this.#writers[which], (batch) => {
      this.#accept(batch);
      if (this.#onAppEventLine || onAppMetricLine)
        findAppEventLines(batch.data, onAppEventLine, onAppMetricLine);
    });
    this.#captures.add(capture);
    capture.done.then(() => this.#captures.delete(capture));
    if (this.#isSuspended) capture.suspend();
  }

  note(which: LogStream, line: string): void {
    this.#assertOpen();
    const splitter = new LineSplitter(this.#maxLineBytes, (data, lines) =>
      this.#accept({
        data,
        lines,
        ts: Date.now(),
        stream: which,
        pid: null,
        seq: undefined,
        order: undefined,
      }),
    );
    splitter.push(Buffer.from(line));
    splitter.end();
  }

  async tail(request: { lines: number; stream: LogStreamFilter }): Promise<LogLine[]> {
    await this.tailReady();
    return (await tailLines(this.tailSnapshot(), Math.floor(request.lines), request.stream)).lines;
  }

  tailReady(): Promise<void> {
    // a file another process appended to since its open holds lines the writer's position does not count
    return this.#flushing.then(() => verifyPositions(this.#uniqueWriters()));
  }

  tailSnapshot(): TailSnapshot {
    // lines whose live delivery is pending are in the ring already: delivered now, a follow taking this
    // snapshot for its first batch has them before its tail (and drops those the tail holds), never after
    if (this.#liveScheduled) this.#deliverLive();
    // a tail orders the lines of the files by their time index entries: every written batch's must be there
    if (!this.#isMerged) for (const writer of this.#uniqueWriters()) writer.flushTimeIndex();
    const file = (stream: LogStream): TailFile => {
      const position = this.#writers[stream].position();
      const sum = (counts: Record<LogStream, number>) => counts.out + counts.err;
      return {
        path: this.#writers[stream].path,
        endOffset: position.endOffset,
        acceptedLines: position.acceptedLines,
        settledLines: position.settledLines,
        writtenFrom: position.writtenFrom,
        fileLines: sum(position.inFile),
        previous: position.previous && { path: position.previous.path, lines: sum(position.previous.lines) },
        earlier: position.earlier.map((file) => ({ path: file.path, lines: sum(file.lines) })),
        forgotten: position.forgotten,
        takenAt: Date.now(),
        earlierIn: position.earlierIn,
      };
    };
    const source: TailSource = {
      id: this.#id,
      name: this.#name,
      batches: this.#ring.snapshot(),
      holdsAll: this.#ring.holdsAll && !this.#hasEarlierLines,
    };
    if (this.#enrich) source.enrich = this.#enrich;
    return {
      sources: [source],
      writers: Math.max(fileWriterUsers(this.#writers.out), fileWriterUsers(this.#writers.err)),
      decode: this.#decode,
      merged: this.#isMerged,
      hasStreamInFile: this.#hasStreamInFile,
      files: { out: file('out'), err: file('err') },
      ...(this.homeLogsDir === undefined ? {} : { homeLogsDir: this.homeLogsDir }),
    };
  }

  subscribe(listener: (lines: LogLine[]) => void, pacing?: LivePacing): () => void {
    this.#listeners.set(listener, pacing);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  flush(): Promise<void> {
    this.#ring.clear();
    this.#hasEarlierLines = false;
    // a file removed to free space: its deleted inode is emptied, and the next lines go to a new one
    for (const writer of this.#allWriters()) writer.reopenIfMoved();
    const done = Promise.all(this.#allWriters().map((writer) => writer.truncate())).then(() => undefined);
    this.#flushing = done.catch(() => undefined);
    return done;
  }

  async reopen(): Promise<string[]> {
    const results = await Promise.allSettled(this.#allWriters().map((writer) => writer.reopen()));
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    if (failures.length > 0) throw reopenFailure(failures);
    return results.flatMap((result) =>
      result.status === 'fulfilled' && result.value !== null ? [result.value] : [],
    );
  }

  retarget(target: LogTarget): void {
    this.#assertOpen();
    const before = this.#allWriters();
    const options = (path: string): FileWriterOptions => ({
      ...this.#writerOptions,
      path,
      rotation: target.rotation,
    });
    const acquired: FileWriter[] = [];
    const kept: FileWriter[] = [];
    const take = (writer: FileWriter, path: string): FileWriter => {
      const next = retargetFileWriter(writer, options(path));
      if (next !== writer) acquired.push(next);
      else kept.push(writer);
      return next;
    };
    let out: FileWriter;
    let err: FileWriter;
    let combined: FileWriter | null = null;
    try {
      out = take(this.#writers.out, target.outPath);
      err = target.errPath === target.outPath ? out : take(this.#writers.err, target.errPath);
      const path = target.combinedPath;
      if (path !== undefined && path !== target.outPath && path !== target.errPath) {
        combined = this.#combined ? take(this.#combined, path) : acquireFileWriter(options(path));
        if (!this.#combined) acquired.push(combined);
      }
    } catch (error) {
      for (const writer of acquired) releaseFileWriter(writer).catch(() => undefined);
      const rotation = this.#target.rotation;
      for (const writer of kept) retargetFileWriter(writer, { ...options(writer.path), rotation });
      throw error;
    }
    const isNewFile = out !== this.#writers.out || err !== this.#writers.err;
    this.#writers = { out, err };
    this.#order = out === err ? null : arrivalOrderOf(out);
    this.#combined = combined;
    for (const capture of this.#captures) capture.setWriter(this.#writers[capture.which]);
    // the ring's lines count as the old files' last ones: a tail reads the new files alone
    if (isNewFile) this.#ring.clear();
    this.#target = target;
    this.#setFormat(target);
    // each old writer's reference goes back, except a kept one's (a writer taken anew holds its own)
    for (const writer of before) {
      if (kept.includes(writer)) continue;
      releaseFileWriter(writer).catch((error: unknown) =>
        this.#onError?.(
          new VelosError(ErrorCodes.IO_ERROR, `closing ${writer.path} failed: ${String(error)}`, {
            cause: error,
          }),
        ),
      );
    }
  }

  counters(): LogPipelineCounters {
    const writers = this.#uniqueWriters();
    return {
      ...this.#counters,
      dropped: writers.reduce((sum, writer) => sum + writer.droppedLines, 0),
      queuedBytes: writers.reduce((sum, writer) => sum + writer.queuedBytes, 0),
      peakQueuedBytes: Math.max(...writers.map((writer) => writer.peakQueuedBytes)),
    };
  }

  flushTimeIndex(): void {
    for (const writer of this.#allWriters()) writer.flushTimeIndex();
  }

  async suspend(): Promise<void> {
    this.#isSuspended = true;
    for (const capture of this.#captures) capture.suspend();
    await Promise.all(this.#allWriters().map((writer) => writer.settled()));
    this.flushTimeIndex();
  }

  unsuspend(): void {
    if (!this.#isSuspended) return;
    this.#isSuspended = false;
    for (const capture of this.#captures) capture.unsuspend();
  }

  async drained(): Promise<void> {
    await Promise.all([...this.#captures].map((capture) => capture.done));
    await Promise.all(this.#allWriters().map((writer) => writer.settled()));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // the process stopped: what its pipes still hold is read here, not left to a next daemon
    this.unsuspend();
    await this.#drainCaptures();
    for (const capture of this.#captures) capture.detach();
    this.#captures.clear();
    this.#deliverLive();
    await Promise.all(this.#allWriters().map((writer) => releaseFileWriter(writer)));
  }

  /**
   * Reads what the pipes still hold (their reads may be paused for a few milliseconds, see
   * `ReadPacer`) until each ends, for at most CLOSE_DRAIN_MS: a stopped child's last lines reach the file.
   */
  async #drainCaptures(): Promise<void> {
    if (this.#captures.size === 0) return;
    for (const capture of this.#captures) capture.hurry();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_DRAIN_MS);
    });
    await Promise.race([Promise.all([...this.#captures].map((capture) => capture.done)), deadline]);
    clearTimeout(timer);
  }

  #setFormat(options: Pick<LogTarget, 'format' | 'dateFormat' | 'classify'>): void {
    const format = { format: options.format, dateFormat: options.dateFormat, classify: options.classify };
    this.#encode = createLineEncoder(format);
    this.#decode = createLineDecoder(format);
    this.#hasStreamInFile = options.format === 'json';
    const classify = options.classify ?? defaultClassify;
    this.#enrich = options.format === 'json' ? (line) => structureLogLine(line, classify) : undefined;
  }

  get #isMerged(): boolean {
    return this.#writers.out === this.#writers.err;
  }

  #uniqueWriters(): FileWriter[] {
    return this.#isMerged ? [this.#writers.out] : [this.#writers.out, this.#writers.err];
  }

  /** The stream files and PM2's combined `log_file`, when there is one. */
  #allWriters(): FileWriter[] {
    return this.#combined ? [...this.#uniqueWriters(), this.#combined] : this.#uniqueWriters();
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new VelosError(ErrorCodes.INTERNAL, `the log pipeline of ${this.#name} is closed`);
    }
  }

  #accept(batch: LineBatch): void {
    this.#counters[batch.stream] += batch.lines;
    this.#counters.bytes += batch.data.length;
    const writer = this.#writers[batch.stream];
    batch.seq = writer.acceptedLines;
    const order = this.#order;
    if (order !== null) batch.order = order.key(batch.ts, batch.stream);
    // the ring's copy of the batch; the files are written from it when they take the bytes as they are
    const kept = this.#ring.push(batch);
    const encoded = this.#encode(batch);
    const holder = encoded === batch.data ? kept : null;
    // the time index of a separate file records order keys, and where each run of its stream starts;
    // not when the other stream's file keeps no index (`out_file: /dev/null`): no tail merges the two,
    // and an app alternating streams would give every line an entry, an index as large as the log
    if (order === null) writer.write(encoded, batch.stream, batch.lines, batch.ts, holder);
    else {
      const isRunStart = order.isSwitch && this.#writers[batch.stream === 'out' ? 'err' : 'out'].hasTimeIndex;
      writer.write(encoded, batch.stream, batch.lines, batch.order!, holder, isRunStart);
    }
    this.#combined?.write(encoded, batch.stream, batch.lines, batch.ts, holder);
    if (this.#onLines) this.#counters.errors += this.#onLines(batch) ?? 0;
    if (this.#listeners.size > 0) this.#queueLive(batch);
  }

  #isEveryListenerBehind(): boolean {
    for (const pacing of this.#listeners.values()) if (!pacing?.isBehind()) return false;
    return true;
  }

  #queueLive(batch: LineBatch): void {
    // no subscriber takes these lines: they are counted, not split into strings and objects
    if (this.#live.length === 0 && this.#isEveryListenerBehind()) {
      for (const pacing of this.#listeners.values()) pacing!.onSkipped(batch.lines, batch.stream);
      return;
    }
    const lines = lineStrings(batch.data);
    // plain files: a line that is not valid UTF-8 keeps its bytes, for the followers that print them
    const bytes = this.#enrich ? undefined : invalidLineBytes(batch.data, lines);
    lines.forEach((line, index) => {
      const live: LogLine = {
        ts: batch.ts,
        stream: batch.stream,
        id: this.#id,
        name: this.#name,
        pid: batch.pid,
        line,
      };
      const invalid = bytes?.[index];
      if (invalid !== undefined) live.bytes = invalid;
      this.#live.push(this.#enrich ? this.#enrich(live) : live);
    });
    if (this.#liveScheduled) return;
    this.#liveScheduled = true;
    setImmediate(() => this.#deliverLive());
  }

  #deliverLive(): void {
    this.#liveScheduled = false;
    const lines = this.#live;
    if (lines.length === 0) return;
    this.#live = [];
    for (const [listener, pacing] of this.#listeners) {
      try {
        if (pacing?.isBehind()) skipLines(lines, pacing);
        else listener(lines);
      } catch (error) {
        this.#onError?.(
          new VelosError(ErrorCodes.INTERNAL, `a log subscriber of ${this.#name} failed: ${String(error)}`, {
            cause: error,
          }),
        );
      }
    }
  }
}

function ignoreLine(): void {}

/** Counts `lines` to a subscriber that is behind, by stream. */
function skipLines(lines: LogLine[], pacing: LivePacing): void {
  let out = 0;
  for (const line of lines) if (line.stream === 'out') out += 1;
  if (out > 0) pacing.onSkipped(out, 'out');
  if (out < lines.length) pacing.onSkipped(lines.length - out, 'err');
}

/** How long a tail waits for a writer to check its position (a write in flight goes first). */
const VERIFY_DEADLINE_MS = 1000;

/** Resolves once every writer checked its position, or after VERIFY_DEADLINE_MS (a disk that hangs a write). */
function verifyPositions(writers: FileWriter[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, VERIFY_DEADLINE_MS);
  });
  const verified = Promise.all(writers.map((writer) => writer.verifyPosition().catch(() => undefined)));
  return Promise.race([verified.then(() => undefined), deadline]).finally(() => clearTimeout(timer));
}
