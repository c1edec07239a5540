import type { Socket } from 'node:net';
import { type ResponseMessage, toErrorPayload } from '@velos/core';
import { encodeFrame } from '@velos/core/codec';

/** Socket buffer size above which stream items wait in the connection's bounded queue. */
const STREAM_HIGH_WATER_BYTES = 1024 * 1024;

/** Items of one stream dropped for a slow reader: in total, and not yet reported in an item. */
export interface DropCounts {
  dropped: number;
  unreported: number;
}

/**
 * Writes the responses of one connection as frames. Stream items wait in a bounded queue while the
 * socket holds more than 1 MiB unsent; past `maxQueuedItems` the oldest items are dropped and
 * counted, and the next item sent for that stream carries the count in `dropped`.
 */
export class ResponseWriter {
  private readonly queue: { message: ResponseMessage; counts: DropCounts | null }[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly maxQueuedItems: number,
  ) {}

  /** Writes an answer now (answers are never dropped; back-pressure on requests bounds them). */
  send(message: ResponseMessage): void {
    this.write(message, null);
  }

  /** Writes the last message of a stream after any of its items still queued. */
  sendStreamEnd(message: ResponseMessage, counts: DropCounts): void {
    if (this.queue.length > 0) this.queue.push({ message, counts });
    else this.write(message, counts);
  }

  /** Writes a stream item, or queues it while the socket is congested (dropping the oldest past the bound). */
  sendStreamItem(message: ResponseMessage, counts: DropCounts): void {
    if (this.queue.length === 0 && this.socket.writableLength < STREAM_HIGH_WATER_BYTES) {
      this.write(message, counts);
      return;
    }
    this.queue.push({ message, counts });
    if (this.queue.length <= this.maxQueuedItems) return;
    const oldest = this.queue.findIndex((queued) => queued.message.status === 'stream');
    if (oldest < 0) return;
    const [dropped] = this.queue.splice(oldest, 1);
    if (dropped?.counts) {
      dropped.counts.dropped += 1;
      dropped.counts.unreported += 1;
    }
  }

  /** Writes queued messages while the socket has room, or all of them when `isForced`. */
  flush(isForced: boolean): void {
    while (this.queue.length > 0 && (isForced || this.socket.writableLength < STREAM_HIGH_WATER_BYTES)) {
      const { message, counts } = this.queue.shift()!;
      this.write(message, counts);
    }
  }

  /** Forgets everything queued (the connection is failing). */
  clear(): void {
    this.queue.length = 0;
  }

  private write(message: ResponseMessage, counts: DropCounts | null): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    if (message.status === 'stream' && counts && counts.unreported > 0) {
      if (message.payload !== null && typeof message.payload === 'object') {
        message.payload = { ...message.payload, dropped: counts.unreported };
        counts.unreported = 0;
      }
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      frame = encodeFrame({ id: message.id, status: 'error', payload: toErrorPayload(error) });
    }
    this.socket.write(frame);
  }
}
