import type { Subscription } from '@velos/core';

interface Waiter<T> {
  resolve: (result: IteratorResult<T>) => void;
  reject: (error: Error) => void;
}

/**
 * A push-fed `Subscription`: the connection pushes items, ends or fails it; the consumer iterates
 * and may cancel. Leaving a `for await` loop early (break, throw) cancels it too.
 */
export class StreamSubscription<T> implements Subscription<T> {
  private readonly queue: T[] = [];
  private waiter: Waiter<T> | null = null;
  private isDone = false;
  private failure: Error | null = null;

  constructor(private readonly onCancel: () => void) {}

  /** True once the stream ended, failed or was cancelled. */
  get isClosed(): boolean {
    return this.isDone;
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
    if (this.queue.length > 0) return Promise.resolve({ done: false, value: this.queue.shift()! });
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

  private finish(error: Error | null): void {
    if (this.isDone) return;
    this.isDone = true;
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
