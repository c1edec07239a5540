/**
 * The order in which a view reads an app's log files (LOG-4): newest first, so that when the time
 * budget runs out the lines left unread are the oldest. Each file is cut into parts read one after
 * the other from its end, each part read forward (its lines keep their order); the lines read are put
 * back in time order before the engine sees them (see `analyzeLogs`).
 */
import type { LogSource } from './log-scan.js';
import { startOffsetFor, type TimeIndex } from './time-lookup.js';

/**
 * The newest part of a file: small, so that the newest lines are read first even on a short budget
 * (a current file's is read whatever the clock says, see `isNewest`).
 */
export const FIRST_PART_BYTES = 64 * 1024;
/** Each older part is 4 times the size of the one after it (few parts: each costs a little), up to this. */
export const MAX_PART_BYTES = 16 * 1024 * 1024;

/** The lines of one log file that start at a byte offset in `[from, to)`. */
export interface ReadPart {
  source: LogSource;
  /** Index of its app. */
  app: number;
  /** Where its first line starts, or a byte within the line before it (that line is not its own). */
  from: number;
  /** Offset past its last line's start; `Infinity` for the newest part of a file (lines written since count). */
  to: number;
  /**
   * No line of it arrived after this (epoch ms): the time index's first entry at `to` or after, or the
   * file's last write for the newest part or past the index's last entry; undefined without an index.
   */
  endTs: number | undefined;
  /** Its place among the parts of all the apps, oldest first (orders lines of the same time). */
  rank: number;
  /** The newest part (at most `FIRST_PART_BYTES`) of a file being written: what is happening now. */
  isNewest: boolean;
}

/**
 * The parts of each app's sources (`entries`, the app of each) within the range, newest first per
 * app: by the time of their newest line, a later part of the same file first. A `.gz` file is one
 * part (it is read from its start).
 */
export function planReads(
  entries: readonly { source: LogSource; app: number }[],
  apps: number,
  range: { since?: number; until?: number },
): ReadPart[][] {
  const all: ReadPart[] = [];
  for (const { source, app } of entries) {
    if (source.isCompressed) {
      all.push({
        source,
        app,
        from: 0,
        to: Number.POSITIVE_INFINITY,
        endTs: source.endTs,
        rank: 0,
        isNewest: false,
      });
      continue;
    }
    const low = startOffsetFor(source.index, range.since);
    const cut = endOffsetFor(source.index, range.until);
    const high = cut === undefined ? source.bytes : Math.min(cut, source.bytes);
    let to = cut === undefined ? Number.POSITIVE_INFINITY : high;
    let end = high;
    let size = FIRST_PART_BYTES;
    do {
      const from = Math.max(low, end - size);
      // past the index's last entry, the file's last write bounds the time (no index: unknown)
      const endTs =
        to === Number.POSITIVE_INFINITY
          ? source.endTs
          : (timeAfter(source.index, to) ?? (source.index.times.length > 0 ? source.endTs : undefined));
      const isNewest = to === Number.POSITIVE_INFINITY && source.isRotated !== true;
      all.push({ source, app, from, to, endTs, rank: 0, isNewest });
      to = from;
      end = from;
      size = Math.min(size * 4, MAX_PART_BYTES);
    } while (end > low);
  }
  // oldest first: by the time of the newest line (unknown: the file's own order), then by offset
  const sorted = [...all].sort(
    (a, b) => sortTime(a) - sortTime(b) || (a.source === b.source ? a.from - b.from : 0),
  );
  for (const [rank, part] of sorted.entries()) part.rank = rank;
  const plans: ReadPart[][] = Array.from({ length: apps }, () => []);
  for (let i = sorted.length - 1; i >= 0; i -= 1) plans[sorted[i]!.app]!.push(sorted[i]!);
  return plans;
}

/** A part's time to sort by: its `endTs`, or for an older part of a file without one, just before the file's parts that have one. */
function sortTime(part: ReadPart): number {
  return part.endTs ?? Number.NEGATIVE_INFINITY;
}

/** Offset of the first index entry after `until`: no line from it on is in the range; undefined when none. */
function endOffsetFor(index: TimeIndex, until: number | undefined): number | undefined {
  if (until === undefined) return undefined;
  const i = firstAtOrAfter(index.times, until, true);
  return i < index.times.length ? index.offsets[i]! : undefined;
}

/** The time of the first index entry at offset `offset` or later: no line before `offset` arrived after it. */
function timeAfter(index: TimeIndex, offset: number): number | undefined {
  const i = firstAtOrAfter(index.offsets, offset, false);
  return i < index.offsets.length ? index.times[i]! : undefined;
}

/** The first index of ascending `values` at `value` or after (`isAfter`: strictly after). */
function firstAtOrAfter(values: Float64Array, value: number, isAfter: boolean): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (isAfter ? values[mid]! <= value : values[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
