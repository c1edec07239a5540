import type { LineBatch } from './line-batch.js';

/** Batches up to this many bytes are copied into the ring's slab instead of keeping a buffer of their own. */
const SLAB_BATCH_BYTES = 512;
/** The first slab of a ring; each next one is twice as big, up to MAX_SLAB_BYTES. */
const MIN_SLAB_BYTES = 1024;
const MAX_SLAB_BYTES = 16 * 1024;

/**
 * The in-memory ring of recent lines of one process (both streams), kept as the raw batches they
 * were read in and split into lines only when a tail asks for them. Snapshots hold the last
 * `maxLines` lines, fewer when they would exceed `maxBytes`: then the oldest batches go first, and
 * a batch larger than `maxBytes` is not kept at all. Memory holds at most one batch more.
 *
 * Small batches (a line or two, as a crash-looping app writes) are copied into slabs, so a kept batch
 * does not hold a buffer of its own (an ArrayBuffer and its native backing store cost ~200 bytes more
 * than the line itself). Slabs fill in order and the oldest batches go first, so besides the batches
 * the ring holds at most the used part of its oldest slab and the free part of its newest.
 */
export class LineRing {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #batches: LineBatch[] = [];
  #lines = 0;
  #bytes = 0;
  #slab: Buffer | null = null;
  #slabUsed = 0;

  constructor(maxLines: number, maxBytes: number) {
    this.#maxLines = Math.max(0, Math.floor(maxLines));
    this.#maxBytes = Math.max(0, Math.floor(maxBytes));
  }

  /** Keeps `batch` (a small batch's `data` is replaced by its copy in a slab). */
  push(batch: LineBatch): void {
    if (batch.data.length <= SLAB_BATCH_BYTES) batch.data = this.#copyToSlab(batch.data);
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
    this.#slab = null;
    this.#slabUsed = 0;
    this.#batches = [];
    this.#lines = 0;
    this.#bytes = 0;
  }

  #copyToSlab(data: Buffer): Buffer {
    let slab = this.#slab;
    if (slab === null || this.#slabUsed + data.length > slab.length) {
      const size = slab === null ? MIN_SLAB_BYTES : Math.min(MAX_SLAB_BYTES, slab.length * 2);
      // allocUnsafeSlow: a buffer of its own, not a slice of Node's shared pool
      slab = Buffer.allocUnsafeSlow(size);
      this.#slab = slab;
      this.#slabUsed = 0;
    }
    const kept = slab.subarray(this.#slabUsed, this.#slabUsed + data.length);
    data.copy(kept);
    this.#slabUsed += data.length;
    return kept;
  }
}
