import type { Socket } from 'node:net';
import { type ResponseMessage, toErrorPayload } from '@velos/core';
import { encodeFrame, FrameDecoder } from '@velos/core/codec';
import { RELEASE_WORTHY_BYTES } from './memory-release.js';

/** Socket buffer size above which stream items wait in the connection's bounded queue. */
const STREAM_HIGH_WATER_BYTES = 1024 * 1024;

/**
 * Bytes of answers written to the sockets of all connections of a server and not yet handed to the
 * kernel (clients that do not read keep them here); requests wait while it is over its limit.
 */
export interface OutputBudget {
  unsentBytes: number;
  readonly limitBytes: number;
  /** Called when `unsentBytes` falls back under `limitBytes`: waiting connections go on. */
  onRoom(): void;
  /** Told when a frame of at least `RELEASE_WORTHY_BYTES` has been sent or dropped. */
  readonly onLargeRelease?: () => void;
}

/** True while the answers written but not yet sent, over all connections, are within their limit. */
export function hasOutputRoom(budget: OutputBudget): boolean {
  return budget.unsentBytes < budget.limitBytes;
}

/** Items of one stream dropped for a slow reader: in total, and not yet reported in an item. */
export interface DropCounts {
  dropped: number;
  unreported: number;
}

/** Bytes of encoded stream items a connection queues for a slow reader; past it the oldest are dropped. */
const MAX_QUEUED_STREAM_BYTES = 8 * 1024 * 1024;

/** A message waiting in a connection's queue, already encoded (its size is known and bounded). */
interface QueuedFrame {
  status: ResponseMessage['status'];
  frame: Buffer;
  counts: DropCounts | null;
}

/**
 * Writes the responses of one connection as frames. Stream items wait in a bounded queue while the
 * socket holds more than 1 MiB unsent; past `maxQueuedItems` items or 8 MiB the oldest items are
 * dropped and counted, and the next item sent for that stream carries the count in `dropped`.
 */
export class ResponseWriter {
  private readonly queue: QueuedFrame[] = [];
  private queuedBytes = 0;
  /** Bytes this writer counts in the shared output budget. */
  private unsentBytes = 0;
  /** When the socket last handed bytes to the kernel, or got bytes to send while it held none. */
  private lastProgressAt = Date.now();
  private isClosed = false;
  /** Whether a frame of at least `RELEASE_WORTHY_BYTES` was written on this connection. */
  private hasSentLarge = false;
  /** Told once stream items go out at once again (see `whenRoom`). */
  private roomWaiters: (() => void)[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly maxQueuedItems: number,
    private readonly budget: OutputBudget,
  ) {
    socket.once('close', () => {
      this.isClosed = true;
      this.wakeRoomWaiters();
      this.settle(this.unsentBytes);
      // what the answers were built from may be held until the connection goes
      if (this.hasSentLarge) this.budget.onLargeRelease?.();
    });
  }

  /** Writes an answer now (answers are never dropped; back-pressure on requests bounds them). */
  send(message: ResponseMessage): void {
    this.write(message, null);
  }

  /** Writes the last message of a stream after any of its items still queued. */
  sendStreamEnd(message: ResponseMessage, counts: DropCounts): void {
    if (this.queue.length > 0) this.enqueue(message, counts);
    else this.write(message, counts);
  }

  /** Writes a stream item, or queues it while the socket is congested (dropping the oldest past the bounds). */
  sendStreamItem(message: ResponseMessage, counts: DropCounts): void {
    if (this.queue.length === 0 && this.socket.writableLength < STREAM_HIGH_WATER_BYTES) {
      this.write(message, counts);
      return;
    }
    this.enqueue(message, counts);
    while (this.queue.length > this.maxQueuedItems || this.queuedBytes > MAX_QUEUED_STREAM_BYTES) {
      const oldest = this.queue.findIndex((queued) => queued.status === 'stream');
      if (oldest < 0) return;
      const [dropped] = this.queue.splice(oldest, 1);
      this.queuedBytes -= dropped!.frame.length;
      if (dropped!.counts) {
        dropped!.counts.dropped += 1;
        dropped!.counts.unreported += 1;
      }
    }
  }

  /**
   * Null while a stream item would go out at once; else a promise resolved once it would again (the
   * socket drained and nothing is queued) or the connection closed. A producer that waits for it
   * before making its next item spares the encoding of items that would only be dropped.
   */
  whenRoom(): Promise<void> | null {
    if (this.isClosed || !this.isCongested()) return null;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private isCongested(): boolean {
    return this.queue.length > 0 || this.socket.writableLength >= STREAM_HIGH_WATER_BYTES;
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Writes queued messages while the socket has room, or all of them when `isForced`. */
  flush(isForced: boolean): void {
    while (this.queue.length > 0 && (isForced || this.socket.writableLength < STREAM_HIGH_WATER_BYTES)) {
      const queued = this.queue.shift()!;
      this.queuedBytes -= queued.frame.length;
      if (queued.status === 'stream' && queued.counts && queued.counts.unreported > 0) {
        // items were dropped after this one was queued: it carries their count
        const [message] = new FrameDecoder().push(queued.frame) as ResponseMessage[];
        this.write(message!, queued.counts);
      } else {
        this.writeFrame(queued.frame);
      }
    }
    if (this.roomWaiters.length > 0 && !this.isCongested()) this.wakeRoomWaiters();
  }

  /** How long the socket has held unsent bytes without sending any (0 when it holds none). */
  stalledMs(now: number): number {
    return this.unsentBytes === 0 ? 0 : now - this.lastProgressAt;
  }

  /** Gives back bytes the socket no longer holds; wakes waiting connections when the budget has room again. */
  private settle(bytes: number): void {
    if (bytes === 0) return;
    const wasFull = !hasOutputRoom(this.budget);
    this.lastProgressAt = Date.now();
    this.unsentBytes -= bytes;
    this.budget.unsentBytes -= bytes;
    if (wasFull && hasOutputRoom(this.budget)) this.budget.onRoom();
  }

  /** Forgets everything queued (the connection is failing). */
  clear(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private enqueue(message: ResponseMessage, counts: DropCounts | null): void {
    const frame = this.encode(message);
    this.queue.push({ status: message.status, frame, counts });
    this.queuedBytes += frame.length;
  }

  private write(message: ResponseMessage, counts: DropCounts | null): void {
    if (message.status === 'stream' && counts && counts.unreported > 0) {
      if (message.payload !== null && typeof message.payload === 'object') {
        message.payload = { ...message.payload, dropped: counts.unreported };
        counts.unreported = 0;
      }
    }
    this.writeFrame(this.encode(message));
  }

  private encode(message: ResponseMessage): Buffer {
    try {
      return encodeFrame(message);
    } catch (error) {
      return encodeFrame({ id: message.id, status: 'error', payload: toErrorPayload(error) });
    }
  }

  private writeFrame(frame: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    const bytes = frame.length;
    if (this.unsentBytes === 0) this.lastProgressAt = Date.now();
    this.unsentBytes += bytes;
    this.budget.unsentBytes += bytes;
    const isLarge = bytes >= RELEASE_WORTHY_BYTES;
    this.hasSentLarge ||= isLarge;
    this.socket.write(frame, () => {
      if (isLarge) this.budget.onLargeRelease?.();
      if (!this.isClosed) this.settle(bytes);
    });
  }
}
