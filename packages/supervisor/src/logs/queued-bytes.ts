/**
 * The bytes a file writer has queued and not written yet, against its high-water mark: it tells when
 * the writer is full, calls drain listeners once the queue is back under half the mark and resolves
 * `settled` waiters once everything queued before them is written (or failed, or discarded).
 */
export class QueuedBytes {
  readonly #highWaterBytes: number;
  #queued = 0;
  #peak = 0;
  #enqueued = 0;
  #settled = 0;
  #drainListeners: (() => void)[] = [];
  #waiters: { target: number; resolve: () => void }[] = [];

  constructor(highWaterBytes: number) {
    this.#highWaterBytes = Math.max(1, highWaterBytes);
  }

  /** Bytes accepted and not yet written (the write in flight included). */
  get queued(): number {
    return this.#queued;
  }

  /** The most bytes ever queued at once. */
  get peak(): number {
    return this.#peak;
  }

  /** True while more than the high-water mark is queued. */
  get isFull(): boolean {
    return this.#queued >= this.#highWaterBytes;
  }

  /** Counts `bytes` newly queued. */
  add(bytes: number): void {
    this.#queued += bytes;
    this.#enqueued += bytes;
    if (this.#queued > this.#peak) this.#peak = this.#queued;
  }

  /** Counts `bytes` as done with (written, failed or discarded) and wakes who waited for them. */
  settle(bytes: number): void {
    this.#queued -= bytes;
    this.#settled += bytes;
    if (this.#waiters.length > 0) {
      const ready = this.#waiters.filter((waiter) => waiter.target <= this.#settled);
      this.#waiters = this.#waiters.filter((waiter) => waiter.target > this.#settled);
      for (const waiter of ready) waiter.resolve();
    }
    if (this.#drainListeners.length > 0 && this.#queued <= this.#highWaterBytes / 2) {
      const listeners = this.#drainListeners;
      this.#drainListeners = [];
      for (const listener of listeners) listener();
    }
  }

  /** Calls `listener` once, when the queue falls under half the high-water mark. */
  onDrain(listener: () => void): void {
    if (!this.isFull) {
      queueMicrotask(listener);
      return;
    }
    this.#drainListeners.push(listener);
  }

  /** Resolves once every byte queued before the call is settled. */
  settled(): Promise<void> {
    const target = this.#enqueued;
    if (this.#settled >= target) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ target, resolve }));
  }
}
