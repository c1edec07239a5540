import type { LineBatch } from './line-batch.js';

/**
 * The in-memory ring of recent lines of one process (both streams), kept as the raw batches they
 * were read in and split into lines only when a tail asks for them. Snapshots hold the last
 * `maxLines` lines, fewer when they would exceed `maxBytes`: then the oldest batches go first, and
 * a batch larger than `maxBytes` is not kept at all. Memory holds at most one batch more.
 */
export class LineRing {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #batches: LineBatch[] = [];
  #lines = 0;
  #bytes = 0;

  constructor(maxLines: number, maxBytes: number) {
    this.#maxLines = Math.max(0, Math.floor(maxLines));
    this.#maxBytes = Math.max(0, Math.floor(maxBytes));
  }

  push(batch: LineBatch): void {
    this.#batches.push(batch);
    this.#lines += batch.lines;
    this.#bytes += batch.data.length;
    for (let oldest = this.#batches[0]; oldest !== undefined; oldest = this.#batches[0]) {
      if (this.#lines - oldest.lines < this.#maxLines && this.#bytes <= this.#maxBytes) break;
      this.#batches.shift();
      this.#lines -= oldest.lines;
      this.#bytes -= oldest.data.length;
    }
  }

  /** The batches of the last `maxLines` lines, oldest first (a copy: later pushes do not change it). */
  snapshot(): LineBatch[] {
    const batches = this.#batches.slice();
    const oldest = batches[0];
    // Whole batches are evicted on push; the oldest may still hold lines beyond `maxLines`.
    if (oldest !== undefined && this.#lines > this.#maxLines) {
      const excess = this.#lines - this.#maxLines;
      let cut = -1;
      for (let i = 0; i < excess; i += 1) cut = oldest.data.indexOf(10, cut + 1);
      const trimmed = { ...oldest, data: oldest.data.subarray(cut + 1), lines: oldest.lines - excess };
      if (oldest.seq !== undefined) trimmed.seq = oldest.seq + excess;
      batches[0] = trimmed;
    }
    return batches;
  }

  clear(): void {
    this.#batches = [];
    this.#lines = 0;
    this.#bytes = 0;
  }
}
