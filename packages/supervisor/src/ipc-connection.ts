import type { Socket } from 'node:net';
import {
  CANCEL_COMMAND,
  ErrorCodes,
  PAYLOAD_LIMITS,
  type ResponseMessage,
  toErrorPayload,
  VelosError,
} from '@velos/core';
import {
  FrameDecoder,
  MAX_FRAME_BYTES,
  payloadBytesBreach,
  RefusedRequest,
  SMALL_PAYLOAD_BYTES,
} from '@velos/core/codec';
import type { CommandDispatcher, StreamSink } from './command-dispatcher.js';
import type { IpcLimits } from './ipc-limits.js';
import { type DropCounts, hasOutputRoom, type OutputBudget, ResponseWriter } from './ipc-output.js';
import { RELEASE_WORTHY_BYTES } from './memory-release.js';

/**
 * Bytes of a frame received after which it is charged for all it announces: a smaller frame is charged
 * what it holds, so the frames of ordinary requests never reserve more than they bring.
 */
export const RESERVE_AFTER_BYTES = 64 * 1024;

/** Bytes of unfinished frames held by all connections of a server, against one limit. */
export interface FrameBudget {
  usedBytes: number;
  readonly limitBytes: number;
  /** Told when a connection drops at least `RELEASE_WORTHY_BYTES` of unfinished frames. */
  readonly onLargeRelease?: () => void;
}

/** What a connection needs from its server. */
export interface ConnectionOptions {
  dispatcher: CommandDispatcher;
  limits: IpcLimits;
  budget: FrameBudget;
  output: OutputBudget;
  maxQueuedItems: number;
  log: (line: string) => void;
  /** OBS-1: told each answer (`ok` or the error code), with the seconds since its request's frame (null for a stream opened). */
  onAnswered?: (cmd: string, outcome: string, seconds: number | null) => void;
}

interface StreamState extends DropCounts {
  cancel: (() => void) | null;
  isEnded: boolean;
}

/**
 * One client connection: decodes frames only while it has room (at most `maxInflightPerConnection`
 * requests running, less than `writeHighWaterBytes` unsent, and the server's answers unsent to all
 * clients within `maxUnsentBytes`; else its socket is paused until an answer completes, the socket
 * drains or other clients read), writes responses as they finish, and closes itself on a
 * bad frame, a stalled frame or a long idle time.
 */
export class IpcConnection {
  private readonly decoder = new FrameDecoder(
    MAX_FRAME_BYTES,
    PAYLOAD_LIMITS.maxFrameItems,
    { maxEntries: PAYLOAD_LIMITS.maxObjectEntries, maxValues: PAYLOAD_LIMITS.maxValues },
    { fromBytes: SMALL_PAYLOAD_BYTES, breach: payloadBytesBreach },
  );
  private readonly streams = new Map<number, StreamState>();
  private readonly output: ResponseWriter;
  private inflight = 0;
  /** Bytes this connection counts in the shared frame budget. */
  private budgetBytes = 0;
  private isFailed = false;
  private isReadEnded = false;
  private isPaused = false;
  private lastActiveAt = Date.now();
  private frameStartedAt: number | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.output = new ResponseWriter(socket, options.maxQueuedItems, options.output);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => {
      this.output.flush(false);
      this.pump();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.cancelStreams();
      this.releaseFrames();
    });
  }

  /** Ends every stream, writes what is queued and closes the connection. */
  shutdown(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    for (const [id, state] of this.streams) this.finishStream(id, state);
    this.output.flush(true);
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 1000);
    return closed.finally(() => clearTimeout(timer));
  }

  /** Closes the connection when its current frame is overdue, it has been idle too long, or it reads nothing of its answers. */
  sweep(now: number): void {
    if (this.isFailed || this.socket.destroyed) return;
    const { frameTimeoutMs, idleTimeoutMs } = this.options.limits;
    if (this.frameStartedAt !== null && !this.isPaused && now - this.frameStartedAt > frameTimeoutMs) {
      this.fail(
        new VelosError(
          ErrorCodes.TIMEOUT,
          `bad frame: started but not completed within ${frameTimeoutMs} ms; connection closed`,
        ),
      );
      return;
    }
    if (this.output.stalledMs(now) > this.options.limits.stallTimeoutMs) {
      this.options.log(
        `ipc: a client read none of its answers for ${this.options.limits.stallTimeoutMs} ms; connection closed`,
      );
      this.cancelStreams();
      this.socket.destroy();
      return;
    }
    const isIdle = this.inflight === 0 && this.streams.size === 0 && !this.decoder.isMidFrame;
    if (isIdle && now - this.lastActiveAt > idleTimeoutMs) {
      this.fail(
        new VelosError(ErrorCodes.TIMEOUT, `connection idle for more than ${idleTimeoutMs} ms; closed`),
      );
    }
  }

  private onData(chunk: Buffer): void {
    if (this.isFailed) return;
    this.lastActiveAt = Date.now();
    this.decoder.write(chunk);
    // complete frames are decoded first: only what stays unfinished counts against the budget, so a
    // client sending small requests is never refused while others fill it
    this.pump();
  }

  private onEnd(): void {
    this.isReadEnded = true;
    if (this.isFailed) return;
    // a half-closed client can no longer cancel, so its streams end once its last requests are read
    this.pump();
  }

  /** Starts the requests the connection has room for, then pauses or resumes reading its socket. */
  pump(): void {
    while (!this.isFailed && this.hasRoom()) {
      let message: unknown;
      try {
        message = this.decoder.next();
      } catch (error) {
        this.fail(error);
        return;
      }
      if (message === undefined) break;
      this.frameStartedAt = null;
      if (message instanceof RefusedRequest) this.refuse(message);
      else this.handle(message, this.decoder.lastFrameBytes >= RELEASE_WORTHY_BYTES);
    }
    if (this.isFailed || !this.chargeBudget()) return;
    if (this.decoder.isMidFrame) this.frameStartedAt ??= Date.now();
    this.setPaused(!this.hasRoom());
    if (this.isReadEnded && !this.isPaused) this.onReadEnded();
  }

  private onReadEnded(): void {
    if (this.decoder.pendingBytes > 0) {
      const bytes = this.decoder.pendingBytes;
      this.fail(
        new VelosError(ErrorCodes.PROTOCOL_ERROR, `bad frame: connection closed ${bytes} bytes into a frame`),
      );
      return;
    }
    for (const [id, state] of this.streams) this.finishStream(id, state);
    this.maybeEnd();
  }

  private hasRoom(): boolean {
    const { maxInflightPerConnection, writeHighWaterBytes } = this.options.limits;
    return (
      this.inflight < maxInflightPerConnection &&
      this.socket.writableLength < writeHighWaterBytes &&
      // a client that has read all its answers goes on even while others leave theirs unread
      (this.socket.writableLength === 0 || hasOutputRoom(this.options.output))
    );
  }

  private setPaused(isPaused: boolean): void {
    if (isPaused === this.isPaused || this.socket.destroyed) return;
    this.isPaused = isPaused;
    if (isPaused) {
      this.socket.pause();
      return;
    }
    // time spent paused by the daemon does not count against the client's frame
    if (this.frameStartedAt !== null) this.frameStartedAt = Date.now();
    this.socket.resume();
  }

  /**
   * Updates this connection's share of the frame budget, the memory it holds or, once its unfinished frame
   * has brought `RESERVE_AFTER_BYTES`, the whole length that frame announces; refuses the connection when
   * its share's growth passes the limit. Charging the announced length makes a flood of large frames cost
   * little more to read than the budget itself: 40 clients that each announce 16 MiB and send 16 MiB − 1
   * had the daemon read ~110 MiB (each refused one only once it held ~2 MiB), now ~35 MiB.
   */
  private chargeBudget(): boolean {
    const decoder = this.decoder;
    const isLarge = decoder.pendingBytes >= RESERVE_AFTER_BYTES;
    const held = isLarge ? Math.max(decoder.heldBytes, decoder.announcedBytes) : decoder.heldBytes;
    const growth = held - this.budgetBytes;
    const budget = this.options.budget;
    budget.usedBytes += growth;
    this.budgetBytes = held;
    if (growth <= 0 || budget.usedBytes <= budget.limitBytes) return true;
    const usedBytes = budget.usedBytes;
    this.fail(
      new VelosError(
        ErrorCodes.BUSY,
        `the daemon holds or awaits ${usedBytes} bytes of unfinished requests, over its limit of ${budget.limitBytes}; this connection is closed, retry later`,
        { data: { usedBytes, limitBytes: budget.limitBytes } },
      ),
    );
    return false;
  }

  private releaseFrames(): void {
    this.decoder.dispose();
    if (this.budgetBytes >= RELEASE_WORTHY_BYTES) this.options.budget.onLargeRelease?.();
    this.options.budget.usedBytes -= this.budgetBytes;
    this.budgetBytes = 0;
    this.frameStartedAt = null;
  }

  /** `isLarge`: its frame was big enough that what the request built is collected soon after it ends. */
  private handle(message: unknown, isLarge: boolean): void {
    const request = message as { id?: unknown; cmd?: unknown; payload?: unknown } | null;
    if (
      request === null ||
      typeof request !== 'object' ||
      !Number.isSafeInteger(request.id) ||
      typeof request.cmd !== 'string'
    ) {
      this.fail(
        new VelosError(
          ErrorCodes.PROTOCOL_ERROR,
          'bad request: expected {id: positive integer, cmd: string, payload?}',
        ),
      );
      return;
    }
    const id = request.id as number;
    if (id <= 0) {
      this.fail(
        new VelosError(
          ErrorCodes.PROTOCOL_ERROR,
          `bad request: id ${id} is not a positive integer (id 0 is reserved for protocol errors)`,
        ),
      );
      return;
    }
    const cmd = request.cmd;
    this.lastActiveAt = Date.now();
    if (cmd === CANCEL_COMMAND) this.cancel(id, request.payload);
    else if (this.options.dispatcher.isStream(cmd)) this.openStream(id, cmd, request.payload);
    else this.runRequest(id, cmd, request.payload, isLarge);
  }

  /** Answers a request refused before it was decoded (too many map keys); the connection goes on. */
  private refuse(refused: RefusedRequest): void {
    this.lastActiveAt = Date.now();
    const errorPayload = toErrorPayload(refused.error);
    this.output.send({ id: refused.id, status: 'error', payload: errorPayload });
    // counted with the made-up commands: its `cmd` was never decoded
    this.options.onAnswered?.('other', errorPayload.code, 0);
  }

  private runRequest(id: number, cmd: string, payload: unknown, isLarge: boolean): void {
    this.inflight += 1;
    // hrtime, not performance.now(): the global `performance` loads perf_hooks (~4 MB more idle RSS)
    const startedAt = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - startedAt) / 1e9;
    const onAnswered = this.options.onAnswered;
    let result: Promise<unknown>;
    try {
      result = this.options.dispatcher.request(cmd, payload);
    } catch (error) {
      result = Promise.reject(error);
    }
    result
      .then(
        (answer) => {
          this.output.send({ id, status: 'ok', payload: answer });
          onAnswered?.(cmd, 'ok', seconds());
        },
        (error) => {
          const errorPayload = toErrorPayload(error);
          this.output.send({ id, status: 'error', payload: errorPayload });
          onAnswered?.(cmd, errorPayload.code, seconds());
        },
      )
      .finally(() => {
        this.inflight -= 1;
        if (isLarge) this.options.budget.onLargeRelease?.();
        this.lastActiveAt = Date.now();
        this.pump();
        this.maybeEnd();
      });
  }

  private cancel(id: number, payload: unknown): void {
    const target = (payload as { id?: unknown } | null)?.id;
    const state = typeof target === 'number' ? this.streams.get(target) : undefined;
    if (state) this.finishStream(target as number, state);
    this.output.send({ id, status: 'ok', payload: { cancelled: state !== undefined } });
  }

  private openStream(id: number, cmd: string, payload: unknown): void {
    if (this.streams.has(id)) {
      const error = new VelosError(ErrorCodes.INVALID_ARGUMENT, `a stream with id ${id} is already open`);
      this.output.send({ id, status: 'error', payload: toErrorPayload(error) });
      return;
    }
    const { maxStreamsPerConnection } = this.options.limits;
    if (this.streams.size >= maxStreamsPerConnection) {
      const error = new VelosError(
        ErrorCodes.BUSY,
        `this connection already has ${maxStreamsPerConnection} open streams (the limit); cancel one first`,
      );
      this.output.send({ id, status: 'error', payload: toErrorPayload(error) });
      return;
    }
    const state: StreamState = { cancel: null, isEnded: false, dropped: 0, unreported: 0 };
    this.streams.set(id, state);
    const sink: StreamSink = {
      push: (item) => {
        if (!state.isEnded) this.output.sendStreamItem({ id, status: 'stream', payload: item }, state);
      },
      end: (error) => this.finishStream(id, state, error),
      whenWritable: () => (state.isEnded ? null : this.output.whenRoom()),
    };
    let opened: Promise<() => void>;
    try {
      opened = this.options.dispatcher.stream(cmd, payload, sink);
    } catch (error) {
      opened = Promise.reject(error);
    }
    opened.then(
      (cancel) => {
        this.options.onAnswered?.(cmd, 'ok', null);
        if (state.isEnded) cancel();
        else state.cancel = cancel;
      },
      (error) => {
        this.options.onAnswered?.(cmd, toErrorPayload(error).code, null);
        this.finishStream(id, state, error);
      },
    );
  }

  private finishStream(id: number, state: StreamState, error?: unknown): void {
    if (state.isEnded) return;
    state.isEnded = true;
    this.streams.delete(id);
    this.lastActiveAt = Date.now();
    try {
      state.cancel?.();
    } catch (cause) {
      this.options.log(`stream ${id}: cancel failed: ${String(cause)}`);
    }
    const message: ResponseMessage =
      error === undefined
        ? { id, status: 'end', payload: { dropped: state.dropped } }
        : { id, status: 'error', payload: toErrorPayload(error) };
    this.output.sendStreamEnd(message, state);
    this.maybeEnd();
  }

  private maybeEnd(): void {
    if (
      this.isReadEnded &&
      this.inflight === 0 &&
      this.streams.size === 0 &&
      this.decoder.pendingBytes === 0 &&
      !this.socket.writableEnded
    ) {
      this.output.flush(true);
      this.socket.end();
    }
  }

  private fail(error: unknown): void {
    if (this.isFailed) return;
    this.isFailed = true;
    this.cancelStreams();
    this.releaseFrames();
    this.output.clear();
    this.output.send({ id: 0, status: 'error', payload: toErrorPayload(error) });
    this.socket.end();
    // nothing more is read: a client that keeps sending costs no memory while it reads the error
    this.socket.pause();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private cancelStreams(): void {
    for (const state of this.streams.values()) {
      state.isEnded = true;
      try {
        state.cancel?.();
      } catch {
        // the connection is gone either way
      }
    }
    this.streams.clear();
  }
}
