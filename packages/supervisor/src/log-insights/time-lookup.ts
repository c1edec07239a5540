import { open } from 'node:fs/promises';
import { TIME_INDEX_ENTRY_BYTES } from '../logs/time-index.js';
import { timeIndexPaths } from '../logs/time-index-path.js';

/** The entries of a log file's time index, offsets increasing. */
export interface TimeIndex {
  offsets: Float64Array;
  times: Float64Array;
}

/** The most of an index read (4M entries, a few years of a busy file); older entries are left out. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const MINUTE_MS = 60_000;

/**
 * Reads the time index of `logPath` (empty when there is none): its index under the home
 * (`homeLogsDir`: see `timeIndexPath`) after the one an older version left beside it. Only the entries
 * after the last time the offsets went backwards count: before it the file was emptied or replaced.
 */
export async function readTimeIndex(logPath: string, homeLogsDir?: string): Promise<TimeIndex> {
  const parts: Buffer[] = [];
  for (const path of timeIndexPaths(logPath, homeLogsDir)) {
    const part = await readIndexEnd(path, MAX_INDEX_BYTES);
    if (part !== null) parts.push(part);
  }
  const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const data = all.subarray(Math.max(0, all.length - MAX_INDEX_BYTES));
  const count = data.length / TIME_INDEX_ENTRY_BYTES;
  let first = 0;
  for (let i = 1; i < count; i += 1) {
    if (data.readDoubleLE(i * 16) < data.readDoubleLE((i - 1) * 16)) first = i;
  }
  const offsets = new Float64Array(count - first);
  const times = new Float64Array(count - first);
  for (let i = first; i < count; i += 1) {
    offsets[i - first] = data.readDoubleLE(i * 16);
    times[i - first] = data.readDoubleLE(i * 16 + 8);
  }
  return { offsets, times };
}

/** Bytes of the index read at once when it is read from its end. */
const TAIL_BLOCK_BYTES = 64 * 1024;

/**
 * The entries of the time index of `logPath` (as `readTimeIndex` finds it) that a line starting at
 * `fromOffset` or later needs: read from the index's end backwards in 64 KiB blocks, down to the last
 * entry at or before `fromOffset` (or the last time the offsets went backwards: before it the file was
 * emptied), so a tail reads about as much index as it reads lines. Empty when there is none.
 */
export async function readTimeIndexTail(
  logPath: string,
  fromOffset: number,
  homeLogsDir?: string,
): Promise<TimeIndex> {
  const found = { offsets: [] as number[], times: [] as number[], budget: MAX_INDEX_BYTES };
  for (const path of timeIndexPaths(logPath, homeLogsDir).reverse()) {
    if (await readEntriesBackwards(path, fromOffset, found)) break;
  }
  const { offsets, times } = found;
  return { offsets: Float64Array.from(offsets.reverse()), times: Float64Array.from(times.reverse()) };
}

/** Offset from which lines may have arrived at or after `since`: the entry before the first one at `since` or later. */
export function startOffsetFor(index: TimeIndex, since: number | undefined): number {
  if (since === undefined || index.times.length === 0) return 0;
  let low = 0;
  let high = index.times.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (index.times[mid]! < since) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? 0 : index.offsets[low - 1]!;
}

/**
 * Gives lines their arrival time from an index while a file is read forward: a line between two
 * entries gets a time interpolated by its offset, kept within the minute of the entry before it (a
 * new minute always starts an entry); lines after the last entry go toward `endTs` (the file's last
 * write). Lines before the first entry have no known time.
 */
export class TimeCursor {
  readonly #index: TimeIndex;
  readonly #endTs: number;
  readonly #endOffset: number;
  #i = -1;

  /** `endTs` and `endOffset`: the file's last write and size (an unknown size: `Infinity`). */
  constructor(index: TimeIndex, endTs: number, endOffset: number) {
    this.#index = index;
    this.#endTs = endTs;
    this.#endOffset = endOffset;
  }

  /** The arrival time (whole ms) of the line starting at `offset`; offsets must not decrease between calls. */
  at(offset: number): number | undefined {
    const i = this.#seek(offset);
    if (i < 0) return undefined;
    const { offsets, times } = this.#index;
    const from = Math.floor(times[i]!);
    const minuteEnd = (Math.floor(from / MINUTE_MS) + 1) * MINUTE_MS - 1;
    const isLast = i + 1 >= offsets.length;
    const to = isLast ? this.#endTs : times[i + 1]!;
    if (!(to > from)) return from;
    const span = (isLast ? this.#endOffset : offsets[i + 1]!) - offsets[i]!;
    if (!(span > 0) || !Number.isFinite(span)) return from;
    const ts = from + ((offset - offsets[i]!) / span) * (to - from);
    return Math.min(Math.floor(ts), minuteEnd);
  }

  /**
   * The order key of the line starting at `offset` among the lines of the app's other file: the
   * time of the entry at or before it, as written (an `ArrivalOrder` key). Every run of one stream
   * starts with an entry, so no line of the other file falls between a line and its entry.
   */
  keyAt(offset: number): number | undefined {
    const i = this.#seek(offset);
    return i < 0 ? undefined : this.#index.times[i];
  }

  #seek(offset: number): number {
    const { offsets } = this.#index;
    while (this.#i + 1 < offsets.length && offsets[this.#i + 1]! <= offset) this.#i += 1;
    return this.#i;
  }
}

/**
 * The time to order a line by among the lines of an app's other log file: its arrival time from the
 * index (`indexTs`, interpolated between entries, finer than a time prefix) kept within the span the
 * line's own written time allows (`ownTs` printed with `resolutionMs`: a whole-second prefix says the
 * line arrived within that second); the written time alone when the index has none.
 */
export function orderTime(ownTs: number | null, indexTs: number | undefined, resolutionMs: number): number {
  if (ownTs === null) return indexTs ?? 0;
  if (indexTs === undefined) return ownTs;
  return Math.min(Math.max(indexTs, ownTs), ownTs + resolutionMs - 1);
}

/** The last whole entries of the index file at `path`, at most `maxBytes` of them; null when it cannot be read. */
async function readIndexEnd(path: string, maxBytes: number): Promise<Buffer | null> {
  try {
    const handle = await open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      const aligned = size - (size % TIME_INDEX_ENTRY_BYTES);
      const bytes = Math.min(aligned, maxBytes);
      const data = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(data, 0, bytes, aligned - bytes);
      return data.subarray(0, bytesRead - (bytesRead % TIME_INDEX_ENTRY_BYTES));
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/**
 * Adds the entries of the index file at `path` to `found` (newest first) from its end backwards, as
 * `readTimeIndexTail` tells; resolves true once done (an entry at or before `fromOffset`, offsets
 * going backwards, or `found.budget` bytes read), false when an older index file may hold more.
 */
async function readEntriesBackwards(
  path: string,
  fromOffset: number,
  found: { offsets: number[]; times: number[]; budget: number },
): Promise<boolean> {
  const { offsets, times } = found;
  try {
    const handle = await open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      let position = size - (size % TIME_INDEX_ENTRY_BYTES);
      const lowest = Math.max(0, position - found.budget);
      const block = Buffer.alloc(TAIL_BLOCK_BYTES);
      while (position > lowest) {
        const bytes = Math.min(TAIL_BLOCK_BYTES, position - lowest);
        position -= bytes;
        found.budget -= bytes;
        const { bytesRead } = await handle.read(block, 0, bytes, position);
        if (bytesRead < bytes) return true;
        for (let at = bytes - TIME_INDEX_ENTRY_BYTES; at >= 0; at -= TIME_INDEX_ENTRY_BYTES) {
          const offset = block.readDoubleLE(at);
          if (offsets.length > 0 && offset > offsets[offsets.length - 1]!) return true;
          offsets.push(offset);
          times.push(block.readDoubleLE(at + 8));
          if (offset <= fromOffset) return true;
        }
      }
    } finally {
      await handle.close();
    }
  } catch {
    // none there
    return false;
  }
  return found.budget <= 0;
}
