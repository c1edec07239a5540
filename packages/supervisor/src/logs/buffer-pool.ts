/** How often a pool drops the free buffers that none of its takes needed since the last check. */
const POOL_TRIM_MS = 5000;

/**
 * Free buffers of one size shared by all log files or rings of the daemon (issue 17: a fresh buffer per
 * read drove page faults and GCs). It holds at most what its users freed at once, and every
 * POOL_TRIM_MS drops the buffers it did not need meanwhile, so a quiet daemon holds none.
 */
export class BufferPool {
  readonly bytes: number;
  /** Free buffers, the most recently freed last. */
  readonly #free: Buffer[] = [];
  /** The fewest free buffers the pool held since the last trim: that many were not needed. */
  #lowWater = 0;
  #trimTimer: NodeJS.Timeout | null = null;

  constructor(bytes: number) {
    this.bytes = bytes;
  }

  /** A free buffer of `bytes`, or a new one. */
  take(): Buffer {
    const buffer = this.#free.pop();
    if (this.#free.length < this.#lowWater) this.#lowWater = this.#free.length;
    // allocUnsafeSlow: a buffer of its own, not a slice of Node's shared pool
    return buffer ?? Buffer.allocUnsafeSlow(this.bytes);
  }

  /** Takes back a buffer of `take` that nothing uses any more. */
  giveBack(buffer: Buffer): void {
    this.#free.push(buffer);
    if (this.#trimTimer !== null) return;
    this.#lowWater = this.#free.length;
    this.#trimTimer = setTimeout(this.#trim, POOL_TRIM_MS);
    this.#trimTimer.unref();
  }

  /** Free buffers now (for tests). */
  get freeCount(): number {
    return this.#free.length;
  }

  /** Drops the oldest free buffers that were not taken since the last trim; stops once the pool is empty. */
  readonly #trim = (): void => {
    this.#free.splice(0, this.#lowWater);
    this.#lowWater = this.#free.length;
    this.#trimTimer = this.#free.length > 0 ? setTimeout(this.#trim, POOL_TRIM_MS).unref() : null;
  };
}
