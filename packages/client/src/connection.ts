import { connect } from 'node:net';
import {
  CANCEL_COMMAND,
  ErrorCodes,
  fromErrorPayload,
  isVelosError,
  type ResponseMessage,
  VelosError,
} from '@velos/core';
import { encodeFrame, FrameDecoder } from '@velos/core/codec';
import { STREAM_MAX_QUEUED_ITEMS, StreamSubscription } from './stream-subscription.js';

/**
 * What a `Connection` needs of its socket: net's `Socket`, or the handle socket of the CLI's quick paths
 * (handle-socket.ts).
 */
export interface ConnectionSocket {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  /** `callback`, when the socket supports it, is told whether these bytes reached the peer's socket. */
  write(data: Uint8Array, callback?: (error?: Error | null) => void): unknown;
  /** Stops reading (back-pressure from a stream whose consumer is behind). */
  pause(): unknown;
  /** Reads again after `pause()`. */
  resume(): unknown;
  ref(): unknown;
  unref(): unknown;
  end(): unknown;
  destroySoon(): unknown;
  destroy(): unknown;
}

interface PendingRequest {
  cmd: string;
  resolve: (payload: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * One open socket to the daemon: frames out, frames in, responses matched to requests by id.
 * Many requests and streams may be in flight at once; when the socket closes or the daemon
 * reports a bad frame (id 0), everything still pending is rejected.
 *
 * Flow control: a stream whose consumer is behind pauses the socket only while it is the one thing the
 * connection carries (`velos logs -f` into a paused reader), so the daemon's bounded queues hold the rest.
 * On a shared connection (the API server, MCP, `velos monit`) pausing would stall every other request
 * and stream, so the socket keeps reading and the slow stream alone is ended with `SLOW_CONSUMER` once
 * `STREAM_MAX_QUEUED_ITEMS` items wait unread.
 */
export class Connection {
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, PendingRequest>();
  private readonly streams = new Map<number, { cmd: string; subscription: StreamSubscription<unknown> }>();
  private readonly closeListeners: (() => void)[] = [];
  /** Streams whose consumer is behind (`StreamSubscription` back-pressure). */
  private readonly fullStreams = new Set<number>();
  /** True while the socket is paused for the connection's only stream (see `updateFlow`). */
  private isPaused = false;
  private nextId = 1;
  private closed = false;
  private socketError: NodeJS.ErrnoException | null = null;

  private constructor(
    private readonly socket: ConnectionSocket,
    readonly socketPath: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.socketError = error;
    });
    socket.on('close', () => this.onClose());
    this.updateRef();
  }

  /** Connects to the daemon socket; rejects with `DAEMON_UNAVAILABLE` (the OS error as `cause`). */
  static open(socketPath: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      const onError = (error: NodeJS.ErrnoException) => {
        socket.destroy();
        reject(unavailable(socketPath, error));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new Connection(socket, socketPath));
      });
    });
  }

  /** A connection over a socket already connected to the daemon at `socketPath`. */
  static over(socket: ConnectionSocket, socketPath: string): Connection {
    return new Connection(socket, socketPath);
  }

  /** True once the socket is closed; a closed connection is never reused. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one request and resolves with the `ok` payload, or rejects with the rebuilt `VelosError`. */
  request(cmd: string, payload: unknown, timeoutMs?: number): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closedError(cmd));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const entry: PendingRequest = { cmd, resolve, reject, timer: null };
      if (timeoutMs !== undefined && timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          this.updateRef();
          reject(
            new VelosError(
              ErrorCodes.TIMEOUT,
              `the Velos daemon did not answer "${cmd}" within ${timeoutMs / 1000} s`,
            ),
          );
        }, timeoutMs);
      }
      this.pending.set(id, entry);
      this.updateRef();
      this.send(
        id,
        cmd,
        payload,
        (error) => this.settle(id)?.reject(error),
        (error) => this.settle(id)?.reject(undeliveredError(cmd, error)),
      );
    });
  }

  /** Opens a stream; items arrive on the returned subscription until `end`, an error or `cancel()`. */
  stream(cmd: string, payload: unknown): StreamSubscription<unknown> {
    const id = this.nextId++;
    const subscription = new StreamSubscription<unknown>(
      () => {
        if (!this.streams.delete(id) || this.closed) return;
        this.updateRef();
        // Fire and forget: the daemon's answer to the cancel (if any) has an id nobody waits for.
        this.send(this.nextId++, CANCEL_COMMAND, { id }, () => {});
      },
      (isFull) => this.onStreamFull(id, isFull),
    );
    if (this.closed) {
      subscription.fail(this.closedError(cmd));
      return subscription;
    }
    this.streams.set(id, { cmd, subscription });
    this.updateRef();
    this.send(id, cmd, payload, (error) => {
      this.streams.delete(id);
      subscription.fail(error);
    });
    return subscription;
  }

  /** Calls `listener` once the socket has closed (immediately if it already has). */
  onClosed(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Closes the socket; pending requests are rejected with `CONNECTION_CLOSED`. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.onClosed(resolve);
      this.socket.end();
      this.socket.destroySoon();
    });
  }

  private onStreamFull(id: number, isFull: boolean): void {
    if (isFull) this.fullStreams.add(id);
    else this.fullStreams.delete(id);
    this.updateFlow();
  }

  /**
   * Pauses the socket while the connection's only stream is behind and nothing else is in flight, so
   * what the daemon sends waits in the socket (and the daemon's bounded queues) rather than in this
   * process's memory; reads again as soon as it caught up or anything else shares the connection.
   */
  private updateFlow(): void {
    if (this.closed) return;
    const shouldPause = this.fullStreams.size > 0 && this.streams.size === 1 && this.pending.size === 0;
    if (shouldPause === this.isPaused) return;
    this.isPaused = shouldPause;
    if (shouldPause) this.socket.pause();
    else this.socket.resume();
  }

  /** Ends a stream too far behind on a shared connection: its consumer gets `SLOW_CONSUMER` after its queue. */
  private dropSlow(id: number, cmd: string, stream: StreamSubscription<unknown>): void {
    this.streams.delete(id);
    this.fullStreams.delete(id);
    this.updateRef();
    this.send(this.nextId++, CANCEL_COMMAND, { id }, () => {});
    stream.fail(
      new VelosError(
        ErrorCodes.SLOW_CONSUMER,
        `the "${cmd}" stream was ended: its reader fell more than ${STREAM_MAX_QUEUED_ITEMS} batches behind on a connection shared with other requests`,
        { data: { maxQueued: STREAM_MAX_QUEUED_ITEMS } },
      ),
    );
  }

  /** `onWriteError`: the frame's own write failed, so the daemon never read the request. */
  private send(
    id: number,
    cmd: string,
    payload: unknown,
    onError: (error: Error) => void,
    onWriteError?: (error: Error) => void,
  ): void {
    let frame: Buffer;
    try {
      frame = encodeFrame({ id, cmd, payload: payload ?? {} });
    } catch (error) {
      onError(error as Error);
      return;
    }
    if (onWriteError === undefined) this.socket.write(frame);
    else this.socket.write(frame, (error) => error && onWriteError(error));
  }

  private onData(chunk: Buffer): void {
    let messages: unknown[];
    try {
      messages = this.decoder.push(chunk);
    } catch (error) {
      this.failAll(error as Error);
      this.socket.destroy();
      return;
    }
    for (const message of messages) this.dispatch(message);
  }

  private dispatch(message: unknown): void {
    const { id, status, payload } = (message ?? {}) as Partial<ResponseMessage>;
    if (typeof id !== 'number') {
      this.failAll(
        new VelosError(ErrorCodes.PROTOCOL_ERROR, 'the Velos daemon sent a response without an id'),
      );
      this.socket.destroy();
      return;
    }
    if (id === 0 && status === 'error') {
      // The daemon's answer to a frame it could not read: nothing on this connection can be trusted.
      this.failAll(fromErrorPayload(payload));
      this.socket.destroy();
      return;
    }
    const request = this.pending.get(id);
    if (request) {
      this.settle(id);
      if (status === 'ok') request.resolve(payload);
      else if (status === 'error') request.reject(fromErrorPayload(payload));
      else {
        request.reject(
          new VelosError(
            ErrorCodes.PROTOCOL_ERROR,
            `unexpected "${String(status)}" response to "${request.cmd}"`,
          ),
        );
      }
      return;
    }
    const entry = this.streams.get(id);
    if (!entry) return; // a late frame of a cancelled stream or a timed-out request
    const stream = entry.subscription;
    if (status === 'stream') {
      stream.push(payload);
      if (stream.queued > STREAM_MAX_QUEUED_ITEMS && !this.isPaused) this.dropSlow(id, entry.cmd, stream);
      return;
    }
    this.streams.delete(id);
    this.updateRef();
    if (status === 'error') stream.fail(fromErrorPayload(payload));
    else stream.end();
  }

  private settle(id: number): PendingRequest | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    this.updateRef();
    return entry;
  }

  private failAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const { subscription } of streams) subscription.fail(error);
    this.updateRef();
  }

  private onClose(): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) {
      const entry = this.settle(id);
      entry?.reject(this.closedError(entry.cmd));
    }
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const { cmd, subscription } of streams) subscription.fail(this.closedError(cmd));
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private closedError(cmd: string): VelosError {
    const reason = this.socketError?.code ? ` (${this.socketError.code})` : '';
    return new VelosError(
      ErrorCodes.CONNECTION_CLOSED,
      `the connection to the Velos daemon closed while waiting for "${cmd}"${reason}`,
      this.socketError ? { cause: this.socketError } : {},
    );
  }

  // Hold the event loop open only while something is awaited, so an idle client never keeps a process alive.
  // Every change of what is in flight passes here, so the flow control is re-decided too.
  private updateRef(): void {
    if (this.closed) return;
    if (this.pending.size > 0 || this.streams.size > 0) this.socket.ref();
    else this.socket.unref();
    this.updateFlow();
  }
}

function unavailable(socketPath: string, error: NodeJS.ErrnoException): VelosError {
  return new VelosError(
    ErrorCodes.DAEMON_UNAVAILABLE,
    `cannot reach the Velos daemon at ${socketPath}: ${error.code ?? error.message}`,
    { cause: error, data: { socketPath, errno: error.code ?? null } },
  );
}

/**
 * The request's own write failed (EPIPE: the daemon had closed the connection, its end not seen yet): the
 * daemon never read it, so it is safe to send again on a new connection (`isUndelivered`).
 */
function undeliveredError(cmd: string, cause: Error): VelosError {
  const code = (cause as NodeJS.ErrnoException).code;
  return new VelosError(
    ErrorCodes.CONNECTION_CLOSED,
    `the connection to the Velos daemon closed before "${cmd}" was sent${code ? ` (${code})` : ''}`,
    { cause, data: { delivered: false } },
  );
}

/** True for the error of a request the daemon never read (see `undeliveredError`). */
export function isUndelivered(error: unknown): boolean {
  return (
    isVelosError(error) &&
    error.code === ErrorCodes.CONNECTION_CLOSED &&
    (error.data as { delivered?: unknown } | undefined)?.delivered === false
  );
}
