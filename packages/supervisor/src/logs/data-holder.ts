/**
 * Memory that queued log data lies in (a write block, a slab of the recent-lines ring): its owner
 * reuses it only once every `hold` has been matched by a `release`. A file writer holds the memory of
 * each queued buffer it did not copy until the buffer is written, failed or discarded.
 */
export interface DataHolder {
  hold(): void;
  release(): void;
}
