import { BufferPool } from './buffer-pool.js';
import type { DataHolder } from './data-holder.js';

/** Size of a block queued log data is copied into. */
export const WRITE_BLOCK_BYTES = 256 * 1024;
/** Data above this size gets a copy of its own instead of a place in a block. */
const OWN_COPY_BYTES = WRITE_BLOCK_BYTES / 2;

/** A buffer that queued writes of one writer are copied into, in order, and how many still use it. */
class WriteBlock implements DataHolder {
  readonly buffer = pool.take();
  used = 0;
  pending = 0;
  readonly #onFree: (block: WriteBlock) => void;

  constructor(onFree: (block: WriteBlock) => void) {
    this.#onFree = onFree;
  }

  hold(): void {
    this.pending += 1;
  }

  /** A queued write that used the block is done: a block no write uses any more goes back to the pool. */
  release(): void {
    this.pending -= 1;
    if (this.pending === 0) this.#onFree(this);
  }
}

/** Free blocks of all writers. */
const pool = new BufferPool(WRITE_BLOCK_BYTES);

/**
 * The copies of the data queued by one file writer (issue 17): the data comes as views of the daemon's
 * shared read buffer, so the writer copies it into 256 KiB blocks that go back to a pool shared by all
 * writers once every write using them is done, instead of a fresh buffer per read. A writer with
 * nothing queued holds no block. The pool holds at most what the writers used at once (bounded by their
 * high-water marks), and drops what it did not need for a while (see `BufferPool`).
 */
export class WriteBlocks {
  #current: WriteBlock | null = null;

  /**
   * Copies `data` into the current block (a new one when it is full) and returns the copy and its
   * block, or null as block for data too big for one (it gets a buffer of its own). The block is held
   * once for the copy: `release` it once the copy is written, failed or discarded.
   */
  copy(data: Buffer): { data: Buffer; block: DataHolder | null } {
    if (data.length > OWN_COPY_BYTES) return { data: Buffer.from(data), block: null };
    let block = this.#current;
    if (block === null || block.used + data.length > block.buffer.length) {
      if (block !== null && block.pending === 0) pool.giveBack(block.buffer);
      block = new WriteBlock(this.#onFree);
      this.#current = block;
    }
    const copy = block.buffer.subarray(block.used, block.used + data.length);
    copy.set(data);
    block.used += data.length;
    block.pending += 1;
    return { data: copy, block };
  }

  readonly #onFree = (block: WriteBlock): void => {
    if (block === this.#current) this.#current = null;
    pool.giveBack(block.buffer);
  };
}
