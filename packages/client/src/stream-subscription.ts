import type { Subscription } from '@velos/core';

interface Waiter<T> {
  resolve: (result: IteratorResult<T>) => void;
  reject: (error: Error) => void;
}

/**
 * Items queued unread at which a subscription asks its connection to stop reading the socket. Small,
 * as an item may be large (a `logs` batch holds up to 4 MiB).
 */
export const STREAM_HIGH_WATER_ITEMS = 4;
/** Items queued unread at or under which a full subscription lets its connection read again. */
export const STREAM_LOW_WATER_ITEMS = 1;
/**
 * Items queued unread past which a subscription on a shared connection (other streams or requests in
 * flight, so the socket is not paused for it) is ended with `SLOW_CONSUMER`: memory stays bounded and
 * the others are never stalled by it.
 */
export const STREAM_MAX_QUEUED_ITEMS = 64;

/**
 * A push-fed `Subscription`: the connection pushes items, ends or fails it; the consumer iterates
 * and may cancel. Leaving a `for await` loop early (break, throw) cancels it too.
 *
 * Back-pressure: once `STREAM_HIGH_WATER_ITEMS` items wait unread (the consumer is slower than the
 * daemon: a `velos logs -f` whose stdout is full), `onFull(true)` asks the connection to stop reading
 * its socket, so the daemon's own slow-reader limits apply instead of this queue growing without
 * bound; `onFull(false)` once the consumer has caught up (or the stream is over). The connection
 * pauses only while that stream is all it carries; a shared one bounds the queue instead
 * (`STREAM_MAX_QUEUED_ITEMS`, see connection.ts).
 */
export class StreamSubscription<T> implements Subscription<T> {
  private readonly queue: T[] = [];
  private waiter: Waiter<T> | null = null;
  private isDone = false;
  private failure: Error | null = null;
  private isFull = false;

  constructor(
    private readonly onCancel: () => void,
    private readonly onFull: (isFull: boolean) => void = () => {},
  ) {}

  /** True once the stream ended, failed or was cancelled. */
  get isClosed(): boolean {
    return this.isDone;
  }

  /** True while the consumer is behind: `STREAM_HIGH_WATER_ITEMS` items wait, until it caught up. */
  get isBehind(): boolean {
    return this.isFull;
  }

  /** Items delivered but not read yet. */
  get queued(): number {
    return this.queue.length;
  }

  /** Delivers one item to the consumer. */
  push(item: T): void {
    if (this.isDone) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve({ done: false, value: item });
    } else {
      this.queue.push(item);
      if (!this.isFull && this.queue.length >= STREAM_HIGH_WATER_ITEMS) this.setFull(true);
    }
  }

  /** Ends the stream normally: queued items are still delivered, then the iteration ends. */
  end(): void {
    this.finish(null);
  }

  /** Ends the stream with an error, thrown to the consumer after the queued items. */
  fail(error: Error): void {
    this.finish(error);
  }

  cancel(): void {
    if (this.isDone) return;
    this.queue.length = 0;
    this.finish(null);
    this.onCancel();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: async () => {
        this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift()!;
      if (this.isFull && this.queue.length <= STREAM_LOW_WATER_ITEMS) this.setFull(false);
      return Promise.resolve({ done: false, value });
    }
    if (this.isDone) {
      if (this.failure) {
        const error = this.failure;
        this.failure = null;
        return Promise.reject(error);
      }
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private setFull(isFull: boolean): void {
    this.isFull = isFull;
    this.onFull(isFull);
  }

  private finish(error: Error | null): void {
    if (this.isDone) return;
    this.isDone = true;
    if (this.isFull && this.queue.length === 0) this.setFull(false);
    this.failure = error;
    if (this.waiter) {
      const { resolve, reject } = this.waiter;
      this.waiter = null;
      if (error) {
        this.failure = null;
        reject(error);
      } else {
        resolve({ done: true, value: undefined });
      }
    }
  }
}
