import type { LogStream } from './line-batch.js';

/** Step between two order keys within one millisecond: 1023 stream switches per ms stay ordered. */
export const ARRIVAL_KEY_STEP_MS = 1 / 1024;

/**
 * Gives the batches of an app's out and err files (separate files) order keys: the epoch ms the batch
 * arrived, plus a fraction of a millisecond when the stream switched within the same millisecond, so
 * that the keys of two batches of different streams never tie and follow their arrival. A batch of
 * the same stream in the same millisecond keeps the key before it. The time index records the key
 * of the first batch of a run of one stream (`isSwitch`; within the limits of `TimeIndexWriter`): a
 * tail merges the files by it.
 */
export class ArrivalOrder {
  #key = Number.NEGATIVE_INFINITY;
  #stream: LogStream | null = null;
  /** Whether the batch keyed last follows a batch of the other stream (or is the first one). */
  isSwitch = false;

  /** The key of a batch of `stream` that arrived at `ts` (epoch ms); `isSwitch` tells about it after. */
  key(ts: number, stream: LogStream): number {
    this.isSwitch = stream !== this.#stream;
    this.#stream = stream;
    // a new millisecond, or a clock set back: the key is the time itself
    if (ts > this.#key || ts < Math.floor(this.#key)) this.#key = ts;
    else if (this.isSwitch && this.#key + ARRIVAL_KEY_STEP_MS < Math.floor(this.#key) + 1) {
      this.#key += ARRIVAL_KEY_STEP_MS;
    }
    return this.#key;
  }
}

const shared = new WeakMap<object, ArrivalOrder>();

/** The order of the files that `owner` (the shared writer of an app's out file) stands for: one per app, shared by its instances. */
export function arrivalOrderOf(owner: object): ArrivalOrder {
  let order = shared.get(owner);
  if (order === undefined) {
    order = new ArrivalOrder();
    shared.set(owner, order);
  }
  return order;
}
