import { BufferPool } from './buffer-pool.js';
import type { DataHolder } from './data-holder.js';
import type { LineBatch } from './line-batch.js';
import { SHARED_READ_BYTES, SHARED_READ_HEADROOM } from './shared-read-buffer.js';

/** The first slab of a ring; each next one is twice as big, up to MAX_SLAB_BYTES. */
const MIN_SLAB_BYTES = 1024;
/**
 * The largest slab, the slab of a chatty app, recycled: room for the batch of one read of a pipe with
 * the partial line carried in front of it (see `readIntoSharedBuffer`).
 */
const MAX_SLAB_BYTES = SHARED_READ_HEADROOM + SHARED_READ_BYTES;

/**
 * Emptied slabs of MAX_SLAB_BYTES of all rings: a chatty app's batches span a few slabs, the oldest
 * empties as the newest fills, and file writers hold some a little longer (see `FileWriter.write`).
 */
const pool = new BufferPool(MAX_SLAB_BYTES);

/**
 * A buffer the ring copies batches into, in order, the number of kept batches in it, and the holds of
 * file writers that write batches from it: it is reused once both are zero.
 */
class Slab implements DataHolder {
  readonly buffer: Buffer;
  used = 0;
  batches = 0;
  holds = 0;
  readonly #onFree: (slab: Slab) => void;

  constructor(buffer: Buffer, onFree: (slab: Slab) => void) {
    this.buffer = buffer;
    this.#onFree = onFree;
  }

  hold(): void {
    this.holds += 1;
  }

  release(): void {
    this.holds -= 1;
    if (this.holds === 0 && this.batches === 0) this.#onFree(this);
  }
}

/**
 * The in-memory ring of recent lines of one process (both streams), kept as the raw batches they
 * were read in and split into lines only when a tail asks for them. Snapshots hold the last
 * `maxLines` lines, fewer when they would exceed `maxBytes`: then the oldest batches go first, and
 * a batch larger than `maxBytes` is not kept at all. Memory holds at most one batch more.
 *
 * `push` copies each batch into the ring's slabs (the batch may be a view of a reused read buffer),
 * so a kept batch holds no buffer of its own (an ArrayBuffer and its native backing store cost ~200
 * bytes more than a short line, and a fresh buffer per read drove the daemon's page faults and GCs).
 * Slabs fill in order and the oldest batches go first; a slab whose batches are all gone is dropped
 * (one of the largest size goes back to a pool all rings share), so besides the batches the ring holds
 * at most the used part of its oldest slab and the free part of its newest. `push` returns the slab
 * of the copy: a file writer may write the copy instead of one of its own, holding the slab meanwhile
 * (see `FileWriter.write`); a slab is reused only once no writer holds it.
 */
export class LineRing {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #batches: LineBatch[] = [];
  /** The slab of each kept batch, in step with #batches. */
  #slabsOfBatches: Slab[] = [];
  #lines = 0;
  #bytes = 0;
  #slab: Slab | null = null;
  /** No line pushed since the last `clear` was evicted or refused. */
  #hasEvictedNone = true;

  constructor(maxLines: number, maxBytes: number) {
    this.#maxLines = Math.max(0, Math.floor(maxLines));
    this.#maxBytes = Math.max(0, Math.floor(maxBytes));
  }

  /**
   * Keeps a copy of `batch`: its `data` is replaced by the copy, which stays valid while the ring keeps
   * it or the returned slab is held. Returns null, leaving `batch` alone, when the batch is not kept.
   */
  push(batch: LineBatch): DataHolder | null {
    const { data } = batch;
    if (data.length > this.#maxBytes) {
      // it would be evicted at once, with everything before it
      this.clear();
      this.#hasEvictedNone = false;
      return null;
    }
    const slab = this.#slabFor(data.length);
    const kept = slab.buffer.subarray(slab.used, slab.used + data.length);
    kept.set(data);
    slab.used += data.length;
    slab.batches += 1;
    batch.data = kept;
    this.#batches.push(batch);
    this.#slabsOfBatches.push(slab);
    this.#lines += batch.lines;
    this.#bytes += data.length;
    for (let oldest = this.#batches[0]; oldest !== undefined; oldest = this.#batches[0]) {
      if (this.#lines - oldest.lines < this.#maxLines && this.#bytes <= this.#maxBytes) break;
      this.#batches.shift();
      this.#hasEvictedNone = false;
      this.#release(this.#slabsOfBatches.shift()!);
      this.#lines -= oldest.lines;
      this.#bytes -= oldest.data.length;
    }
    return slab;
  }

  /**
   * The batches of the last `maxLines` lines, oldest first, copied into one new buffer: later pushes
   * (which reuse the ring's slabs) and `clear` do not change it.
   */
  snapshot(): LineBatch[] {
    const copy = Buffer.allocUnsafe(this.#bytes);
    let offset = 0;
    const batches = this.#batches.map((batch) => {
      const data = copy.subarray(offset, offset + batch.data.length);
      data.set(batch.data);
      offset += data.length;
      return { ...batch, data };
    });
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

  /** True when a snapshot holds every line pushed since the ring was made or last cleared. */
  get holdsAll(): boolean {
    return this.#hasEvictedNone && this.#lines <= this.#maxLines;
  }

  clear(): void {
    this.#hasEvictedNone = true;
    this.#slab = null;
    this.#batches = [];
    this.#slabsOfBatches = [];
    this.#lines = 0;
    this.#bytes = 0;
  }

  /** A slab with room for `bytes` more: the current one, or a new one (of the largest size from the pool). */
  #slabFor(bytes: number): Slab {
    const current = this.#slab;
    if (current !== null && current.used + bytes <= current.buffer.length) return current;
    let size = current === null ? MIN_SLAB_BYTES : Math.min(MAX_SLAB_BYTES, current.buffer.length * 2);
    while (size < bytes && size < MAX_SLAB_BYTES) size *= 2;
    // a batch larger than the largest slab gets one of its own size
    const buffer =
      size >= bytes && size === MAX_SLAB_BYTES ? pool.take() : Buffer.allocUnsafeSlow(Math.max(size, bytes));
    const slab = new Slab(buffer, this.#onFree);
    this.#slab = slab;
    if (current !== null && current.batches === 0 && current.holds === 0) this.#drop(current);
    return slab;
  }

  /** One batch of `slab` left the ring. */
  #release(slab: Slab): void {
    slab.batches -= 1;
    if (slab.batches === 0 && slab.holds === 0) this.#onFree(slab);
  }

  /** A slab holds no kept batch and no writer holds it: the current one is refilled, another dropped. */
  readonly #onFree = (slab: Slab): void => {
    if (slab === this.#slab) slab.used = 0;
    else this.#drop(slab);
  };

  /** A slab nothing uses any more: one of the largest size goes back to the pool. */
  #drop(slab: Slab): void {
    if (slab.buffer.length === MAX_SLAB_BYTES) pool.giveBack(slab.buffer);
  }
}
