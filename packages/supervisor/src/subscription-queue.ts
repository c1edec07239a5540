import type { Subscription } from '@velos/core';

/** The producer side of a subscription: push items, end it, learn when the consumer cancels. */
export interface SubscriptionQueue<T> {
  subscription: Subscription<T>;
  push(item: T): void;
  end(): void;
  /** Items dropped because the consumer fell more than `maxItems` behind. */
  readonly dropped: number;
  /** Items pushed and not taken by the consumer yet. */
  readonly queued: number;
  /** The sum of `sizeOf` over the queued items (0 without `sizeOf`). */
  readonly queuedSize: number;
}

/**
 * Creates a bounded async-iterable subscription: a slow consumer never makes it grow past
 * `maxItems` (the oldest items are dropped and counted); `onCancel` runs once when it ends, `onTaken`
 * each time the consumer takes an item that waited in the queue; `sizeOf` weighs the queued items
 * (`queuedSize`).
 */
export function createSubscriptionQueue<T>(options: {
  maxItems: number;
  onCancel: () => void;
  onTaken?: (item: T) => void;
  sizeOf?: (item: T) => number;
}): SubscriptionQueue<T> {
  const items: T[] = [];
  const sizeOf = options.sizeOf ?? (() => 0);
  let queuedSize = 0;
  let waiter: ((result: IteratorResult<T>) => void) | null = null;
  let isDone = false;
  let dropped = 0;

  const finish = (): void => {
    if (isDone) return;
    isDone = true;
    options.onCancel();
    if (waiter && items.length === 0) {
      const wake = waiter;
      waiter = null;
      wake({ value: undefined, done: true });
    }
  };

  const iterator: AsyncIterator<T> = {
    next() {
      const item = items.shift();
      if (item !== undefined) {
        queuedSize -= sizeOf(item);
        options.onTaken?.(item);
        return Promise.resolve({ value: item, done: false });
      }
      if (isDone) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiter = resolve;
      });
    },
    return() {
      items.length = 0;
      queuedSize = 0;
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
  };

  return {
    subscription: {
      [Symbol.asyncIterator]: () => iterator,
      cancel: () => {
        items.length = 0;
        queuedSize = 0;
        finish();
      },
    },
    push(item) {
      if (isDone) return;
      if (waiter) {
        const wake = waiter;
        waiter = null;
        wake({ value: item, done: false });
        return;
      }
      items.push(item);
      queuedSize += sizeOf(item);
      if (items.length > options.maxItems) {
        queuedSize -= sizeOf(items.shift()!);
        dropped += 1;
      }
    },
    end: finish,
    get dropped() {
      return dropped;
    },
    get queued() {
      return items.length;
    },
    get queuedSize() {
      return queuedSize;
    },
  };
}
