import { getSystemErrorName } from 'node:util';
import type { ConnectionSocket } from './connection.js';
import { nodeBinding } from './node-binding.js';

/**
 * The daemon's socket opened on Node's own pipe handle, for the CLI's quick paths (issue 17): `net` and
 * the stream classes under it take ~2 ms to load and ~1.5 ms more to set up a socket, over a third of a
 * `velos list`, which needs none of what they add. Resolves with null when this Node does not give out
 * the handle as expected or the connection fails: the caller then connects as the client always does
 * (which reports the error, or starts the daemon, exactly as before).
 */
export function openHandleSocket(socketPath: string): Promise<HandleSocket | null> {
  const handles = loadHandles();
  if (handles === null) return Promise.resolve(null);
  return new Promise((resolve) => {
    const handle = new handles.Pipe(handles.socketType);
    const request = new handles.ConnectRequest();
    request.oncomplete = (status) => {
      const socket = status < 0 ? null : new HandleSocket(handle, handles);
      if (socket === null || handle.readStart() < 0) {
        handle.close();
        resolve(null);
      } else resolve(socket);
    };
    if (handle.connect(request, socketPath) < 0) {
      handle.close();
      resolve(null);
    }
  });
}

// libuv's status for the end of a stream (UV_EOF), the same on every platform
const UV_EOF = -4095;
/** After a refused write, how long what the peer sent before closing may take to be read. */
const WRITE_FAIL_READ_MS = 1000;

/** A connected pipe handle with the few socket methods `Connection` uses (`Connection.over`). */
export class HandleSocket implements ConnectionSocket {
  private readonly listeners: { [E in keyof SocketEvents]: SocketEvents[E][] } = {
    data: [],
    error: [],
    close: [],
  };
  private isClosed = false;
  /** The status of a write the peer refused (EPIPE), reported once what it sent before closing is read. */
  private writeStatus: number | null = null;
  private writeFailTimer: NodeJS.Timeout | null = null;

  /** Use `openHandleSocket`. */
  constructor(
    private readonly handle: PipeHandle,
    private readonly handles: Handles,
  ) {
    handle.onread = (buffer) => this.onRead(buffer);
  }

  on<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this {
    this.listeners[event].push(listener);
    return this;
  }

  write(data: Uint8Array): boolean {
    if (this.isClosed) return false;
    const request = new this.handles.WriteRequest();
    // what net sets: the handle and the bytes stay referenced until the write completes
    request.handle = this.handle;
    request.buffer = data;
    request.async = false;
    request.oncomplete = (status) => {
      if (status < 0) this.failWrite(status);
    };
    const status = this.handle.writeBuffer(request, data);
    if (status < 0) process.nextTick(() => this.failWrite(status));
    return true;
  }

  pause(): this {
    if (!this.isClosed) this.handle.readStop();
    return this;
  }

  resume(): this {
    if (!this.isClosed) this.handle.readStart();
    return this;
  }

  ref(): this {
    if (!this.isClosed) this.handle.ref();
    return this;
  }

  unref(): this {
    if (!this.isClosed) this.handle.unref();
    return this;
  }

  /** `Connection.close()` calls `end()` then `destroySoon()`: the close of the handle does both. */
  end(): this {
    return this;
  }

  destroySoon(): this {
    return this.destroy();
  }

  destroy(): this {
    if (this.isClosed) return this;
    this.isClosed = true;
    if (this.writeFailTimer !== null) clearTimeout(this.writeFailTimer);
    this.handle.close(() => {
      for (const listener of this.listeners.close) listener();
    });
    return this;
  }

  private onRead(buffer: ArrayBuffer | undefined): void {
    const { state } = this.handles;
    const bytes = state[this.handles.readBytesIndex]!;
    if (bytes > 0 && buffer !== undefined) {
      const chunk = Buffer.from(buffer, state[this.handles.readOffsetIndex], bytes);
      for (const listener of this.listeners.data) listener(chunk);
    } else if (bytes < 0) {
      if (this.writeStatus !== null) this.fail(this.writeStatus, 'write');
      else if (bytes === UV_EOF) this.destroy();
      else this.fail(bytes, 'read');
    }
  }

  /**
   * A write the peer refused because it had closed (EPIPE): a daemon over its connection limit answers
   * `BUSY` and closes, and a client slow to send (a loaded machine) finds it gone. That answer still waits
   * in the socket, so it is read before the write's error is reported, and the user sees why.
   */
  private failWrite(status: number): void {
    if (this.isClosed || this.writeStatus !== null) return;
    this.writeStatus = status;
    if (this.handle.readStart() < 0) {
      this.fail(status, 'write');
      return;
    }
    // a peer gone sends its end at once; should none come, the write's error is not kept back for ever
    this.writeFailTimer = setTimeout(() => this.fail(status, 'write'), WRITE_FAIL_READ_MS);
  }

  private fail(status: number, syscall: string): void {
    if (this.isClosed) return;
    const code = getSystemErrorName(status);
    const error = Object.assign(new Error(`${syscall} ${code}`), { code, errno: status, syscall });
    for (const listener of this.listeners.error) listener(error);
    this.destroy();
  }
}

interface SocketEvents {
  data: (chunk: Buffer) => void;
  error: (error: NodeJS.ErrnoException) => void;
  close: () => void;
}

/** The parts of Node's `Pipe` handle (src/pipe_wrap.cc, src/stream_base.cc) this module calls. */
interface PipeHandle {
  onread: ((buffer: ArrayBuffer | undefined) => void) | null;
  connect(request: object, path: string): number;
  readStart(): number;
  readStop(): number;
  writeBuffer(request: object, data: Uint8Array): number;
  close(callback?: () => void): void;
  ref(): void;
  unref(): void;
}

interface Handles {
  Pipe: new (type: number) => PipeHandle;
  socketType: number;
  ConnectRequest: new () => { oncomplete?: (status: number) => void };
  WriteRequest: new () => {
    handle?: PipeHandle;
    buffer?: Uint8Array;
    async?: boolean;
    oncomplete?: (status: number) => void;
  };
  /** Where the handle's reads leave their byte count (or error) and their offset in the buffer. */
  state: Int32Array;
  readBytesIndex: number;
  readOffsetIndex: number;
}

/** The handle classes, checked for the shape this module relies on; null when any part differs. */
function loadHandles(): Handles | null {
  const pipes = nodeBinding('pipe_wrap');
  const streams = pipes === null ? null : nodeBinding('stream_wrap');
  if (pipes === null || streams === null) return null;
  const { Pipe, PipeConnectWrap, constants } = pipes;
  const { WriteWrap, streamBaseState, kReadBytesOrError, kArrayBufferOffset } = streams;
  const socketType = (constants as { SOCKET?: unknown } | undefined)?.SOCKET;
  const proto = typeof Pipe === 'function' ? (Pipe.prototype as Record<string, unknown>) : {};
  const hasMethods = ['connect', 'readStart', 'writeBuffer', 'close', 'ref', 'unref'].every(
    (method) => typeof proto[method] === 'function',
  );
  if (
    !hasMethods ||
    typeof PipeConnectWrap !== 'function' ||
    typeof WriteWrap !== 'function' ||
    typeof socketType !== 'number' ||
    !(streamBaseState instanceof Int32Array) ||
    typeof kReadBytesOrError !== 'number' ||
    typeof kArrayBufferOffset !== 'number'
  ) {
    return null;
  }
  return {
    Pipe: Pipe as Handles['Pipe'],
    socketType,
    ConnectRequest: PipeConnectWrap as Handles['ConnectRequest'],
    WriteRequest: WriteWrap as Handles['WriteRequest'],
    state: streamBaseState,
    readBytesIndex: kReadBytesOrError,
    readOffsetIndex: kArrayBufferOffset,
  };
}
