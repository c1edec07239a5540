import { chmodSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { CANCEL_COMMAND, ErrorCodes, type ResponseMessage, toErrorPayload, VelosError } from '@velos/core';
import { encodeFrame, FrameDecoder } from '@velos/core/codec';

/** Where a stream handler sends its items; `end(error)` ends it with an error response. */
export interface StreamSink {
  push(item: unknown): void;
  end(error?: unknown): void;
}

/** What the IPC server calls for each request; it never sees frames or sockets. */
export interface CommandDispatcher {
  isStream(cmd: string): boolean;
  /** Answers one request; a rejection becomes an `error` response (unknown command included). */
  request(cmd: string, payload: unknown): Promise<unknown>;
  /** Opens a stream and resolves to the function that cancels it. */
  stream(cmd: string, payload: unknown, sink: StreamSink): Promise<() => void>;
}

/** Options of the IPC server. */
export interface IpcServerOptions {
  socketPath: string;
  dispatcher: CommandDispatcher;
  log?: (line: string) => void;
  /** Stream items held per connection while its socket is congested; beyond it the oldest are dropped. */
  maxQueuedItems?: number;
}

/** A listening IPC server. */
export interface IpcServer {
  /** Open connections. */
  readonly connections: number;
  /** Stops accepting, ends open streams, flushes and closes every connection (destroyed after 1 s). */
  close(): Promise<void>;
}

/** Socket buffer size above which stream items wait in the connection's bounded queue. */
const STREAM_HIGH_WATER_BYTES = 1024 * 1024;
/** A client that leaves this much unread is cut off rather than allowed to grow the daemon. */
const MAX_UNREAD_BYTES = 64 * 1024 * 1024;

/**
 * Listens on a Unix socket (mode 0600) and serves framed requests (IPC-1/IPC-2): many in flight per
 * connection, streams with cancel, one `id: 0` error and a close for a bad frame, bounded memory
 * for slow stream readers (the oldest queued items are dropped and counted in `dropped`).
 */
export async function startIpcServer(options: IpcServerOptions): Promise<IpcServer> {
  const log = options.log ?? (() => undefined);
  const connections = new Set<Connection>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const connection = new Connection(socket, options.dispatcher, options.maxQueuedItems ?? 256, log);
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });
  server.on('error', (error) => log(`ipc server error: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(options.socketPath, 0o600);
  return {
    get connections() {
      return connections.size;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((connection) => connection.shutdown()));
      await closed;
    },
  };
}

interface StreamState {
  cancel: (() => void) | null;
  isEnded: boolean;
  dropped: number;
  unreported: number;
}

/** One client connection: decodes frames, runs requests concurrently, writes responses as they finish. */
class Connection {
  private readonly decoder = new FrameDecoder();
  private readonly streams = new Map<number, StreamState>();
  /** Stream messages waiting for the socket to drain, with the stream they belong to. */
  private readonly queue: { message: ResponseMessage; state: StreamState }[] = [];
  private inflight = 0;
  private isFailed = false;
  private isReadEnded = false;

  constructor(
    private readonly socket: Socket,
    private readonly dispatcher: CommandDispatcher,
    private readonly maxQueuedItems: number,
    private readonly log: (line: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.flushQueue(false));
    socket.on('error', () => undefined);
    socket.on('close', () => this.cancelStreams());
  }

  /** Ends every stream, writes what is queued and closes the connection. */
  shutdown(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    for (const [id, state] of this.streams) this.finishStream(id, state);
    this.flushQueue(true);
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 1000);
    return closed.finally(() => clearTimeout(timer));
  }

  private onData(chunk: Buffer): void {
    if (this.isFailed) return;
    let messages: unknown[];
    try {
      messages = this.decoder.push(chunk);
    } catch (error) {
      this.fail(error);
      return;
    }
    for (const message of messages) {
      if (this.isFailed) return;
      this.handle(message);
    }
  }

  private onEnd(): void {
    this.isReadEnded = true;
    if (this.isFailed) return;
    if (this.decoder.pendingBytes > 0) {
      const bytes = this.decoder.pendingBytes;
      this.fail(
        new VelosError(ErrorCodes.PROTOCOL_ERROR, `bad frame: connection closed ${bytes} bytes into a frame`),
      );
      return;
    }
    // a half-closed client can no longer cancel, so its streams end here
    for (const [id, state] of this.streams) this.finishStream(id, state);
    this.maybeEnd();
  }

  private handle(message: unknown): void {
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
          'bad request: expected {id: integer, cmd: string, payload?}',
        ),
      );
      return;
    }
    const id = request.id as number;
    const cmd = request.cmd;
    if (cmd === CANCEL_COMMAND) {
      this.cancel(id, request.payload);
    } else if (this.dispatcher.isStream(cmd)) {
      this.openStream(id, cmd, request.payload);
    } else {
      this.inflight += 1;
      let result: Promise<unknown>;
      try {
        result = this.dispatcher.request(cmd, request.payload);
      } catch (error) {
        result = Promise.reject(error);
      }
      result
        .then(
          (payload) => this.write({ id, status: 'ok', payload }),
          (error) => this.write({ id, status: 'error', payload: toErrorPayload(error) }),
        )
        .finally(() => {
          this.inflight -= 1;
          this.maybeEnd();
        });
    }
  }

  private cancel(id: number, payload: unknown): void {
    const target = (payload as { id?: unknown } | null)?.id;
    const state = typeof target === 'number' ? this.streams.get(target) : undefined;
    if (state) this.finishStream(target as number, state);
    this.write({ id, status: 'ok', payload: { cancelled: state !== undefined } });
  }

  private openStream(id: number, cmd: string, payload: unknown): void {
    if (this.streams.has(id)) {
      const error = new VelosError(ErrorCodes.INVALID_ARGUMENT, `a stream with id ${id} is already open`);
      this.write({ id, status: 'error', payload: toErrorPayload(error) });
      return;
    }
    const state: StreamState = { cancel: null, isEnded: false, dropped: 0, unreported: 0 };
    this.streams.set(id, state);
    const sink: StreamSink = {
      push: (item) => {
        if (!state.isEnded) this.sendStreamItem({ id, status: 'stream', payload: item }, state);
      },
      end: (error) => this.finishStream(id, state, error),
    };
    let opened: Promise<() => void>;
    try {
      opened = this.dispatcher.stream(cmd, payload, sink);
    } catch (error) {
      opened = Promise.reject(error);
    }
    opened.then(
      (cancel) => {
        if (state.isEnded) cancel();
        else state.cancel = cancel;
      },
      (error) => this.finishStream(id, state, error),
    );
  }

  private finishStream(id: number, state: StreamState, error?: unknown): void {
    if (state.isEnded) return;
    state.isEnded = true;
    this.streams.delete(id);
    try {
      state.cancel?.();
    } catch (cause) {
      this.log(`stream ${id}: cancel failed: ${String(cause)}`);
    }
    const message: ResponseMessage =
      error === undefined
        ? { id, status: 'end', payload: { dropped: state.dropped } }
        : { id, status: 'error', payload: toErrorPayload(error) };
    if (this.queue.length > 0) this.queue.push({ message, state });
    else this.write(message);
    this.maybeEnd();
  }

  private sendStreamItem(message: ResponseMessage, state: StreamState): void {
    if (this.queue.length === 0 && this.socket.writableLength < STREAM_HIGH_WATER_BYTES) {
      this.write(message, state);
      return;
    }
    this.queue.push({ message, state });
    if (this.queue.length <= this.maxQueuedItems) return;
    const oldest = this.queue.findIndex((queued) => queued.message.status === 'stream');
    if (oldest < 0) return;
    const [dropped] = this.queue.splice(oldest, 1);
    dropped!.state.dropped += 1;
    dropped!.state.unreported += 1;
  }

  private flushQueue(isForced: boolean): void {
    while (this.queue.length > 0 && (isForced || this.socket.writableLength < STREAM_HIGH_WATER_BYTES)) {
      const { message, state } = this.queue.shift()!;
      this.write(message, state);
    }
  }

  private maybeEnd(): void {
    if (this.isReadEnded && this.inflight === 0 && this.streams.size === 0 && !this.socket.destroyed) {
      this.flushQueue(true);
      this.socket.end();
    }
  }

  private fail(error: unknown): void {
    if (this.isFailed) return;
    this.isFailed = true;
    this.cancelStreams();
    this.queue.length = 0;
    this.write({ id: 0, status: 'error', payload: toErrorPayload(error) });
    this.socket.end();
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

  private write(message: ResponseMessage, state?: StreamState): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    if (message.status === 'stream' && state) {
      if (state.unreported > 0 && message.payload !== null && typeof message.payload === 'object') {
        message.payload = { ...message.payload, dropped: state.unreported };
        state.unreported = 0;
      }
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      frame = encodeFrame({ id: message.id, status: 'error', payload: toErrorPayload(error) });
    }
    this.socket.write(frame);
    if (this.socket.writableLength > MAX_UNREAD_BYTES) {
      this.log(`ipc: a client left ${this.socket.writableLength} bytes unread; connection closed`);
      this.socket.destroy();
    }
  }
}
