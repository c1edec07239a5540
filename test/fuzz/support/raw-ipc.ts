import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { FrameDecoder } from '@velos/core/codec';

/** One decoded answer of the daemon. */
export interface Reply {
  id: number;
  status: string;
  payload: { code?: string; message?: string } & Record<string, unknown>;
}

/** A frame-level connection to the daemon socket that sends whatever bytes it is given. */
export class RawIpc {
  readonly replies: Reply[] = [];
  /** Set when the daemon's bytes could not be decoded (a daemon bug: it must always send valid frames). */
  decodeError: Error | null = null;
  isClosed = false;
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const reply of this.decoder.push(chunk)) this.replies.push(reply as Reply);
      } catch (error) {
        this.decodeError = error as Error;
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.isClosed = true;
      this.wake();
    });
  }

  /** Connects to `$home/velos.sock`. */
  static open(home: string): Promise<RawIpc> {
    return new Promise((resolve, reject) => {
      const socket = connect(join(home, 'velos.sock'));
      socket.once('connect', () => resolve(new RawIpc(socket)));
      socket.once('error', reject);
    });
  }

  /** Resolves once `check` holds (re-checked on every read and on close); rejects after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${what}; replies: ${this.replies.length}`),
        );
      }, timeoutMs);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  /** Replies that answer request `id`. */
  repliesTo(id: number): Reply[] {
    return this.replies.filter((reply) => reply.id === id);
  }

  /** Closes the socket at once (no half close): an abrupt end, mid-frame or not. */
  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A frame header: magic, version, announced length. */
export function frameHeader(length: number, version = 0x01, magic: [number, number] = [0x56, 0x45]): Buffer {
  const head = Buffer.alloc(7);
  head[0] = magic[0];
  head[1] = magic[1];
  head[2] = version;
  head.writeUInt32LE(length >>> 0, 3);
  return head;
}

/** A frame around raw payload bytes (any bytes, msgpack or not). */
export function rawFrame(payload: Uint8Array): Buffer {
  return Buffer.concat([frameHeader(payload.length), payload]);
}
