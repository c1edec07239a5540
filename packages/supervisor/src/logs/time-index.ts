import { closeSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { APPEND_NO_FOLLOW } from '@velos/core';
import { besideTimeIndexPath, timeIndexPath } from './time-index-path.js';

export { TIME_INDEX_SUFFIX, timeIndexPath } from './time-index-path.js';

/** A new entry once this many bytes were written since the last one. */
export const TIME_INDEX_EVERY_BYTES = 64 * 1024;
/** …or once a second passed and at least this many bytes were written (slow writers stay sparse). */
export const TIME_INDEX_MIN_BYTES_PER_SECOND = 4096;
/** Bytes of one entry: the byte offset and the epoch ms, two little-endian float64. */
export const TIME_INDEX_ENTRY_BYTES = 16;
/** …or when output resumes after a pause this long (its first line must not take the time before the pause). */
export const TIME_INDEX_PAUSE_MS = 2000;
/** A run of one stream (separate out and err files) gets an entry of its own up to this many times a second per file… */
export const TIME_INDEX_RUN_ENTRIES_PER_SECOND = 100;
/** …beyond, only the first run to start in each step of this many ms (an app switching streams at every line). */
export const TIME_INDEX_RUN_STEP_MS = 10;
/** Entries are written to disk at most once a second, or when this many wait. */
const MAX_PENDING_ENTRIES = 256;
const MINUTE_MS = 60_000;

/**
 * The sparse time index of one log file: pairs (byte offset, arrival time) appended as the file
 * grows, so plain lines, which carry no time, get the time the daemon read them. An entry is added
 * when a batch starts a new minute, comes after a pause of 2 s, after 64 KiB, or after a second with
 * at least 4 KiB written: a line's time is then known within a second for busy files, and for quiet
 * ones within its minute (interpolated by offset between two entries). A batch that starts a run of
 * its stream (separate out and err files) gets one too, with its `ArrivalOrder` key as the time: the
 * first 100 runs of a second, then the first run of each 10 ms, so an app switching streams at every
 * line adds at most 200 entries a second per file (3.2 KB/s) rather than one per line. Beyond the first
 * 100 runs of a second, a tail merging the two files orders their lines within each 10 ms by stream.
 */
export class TimeIndexWriter {
  readonly #homeLogsDir: string | undefined;
  #path: string;
  /** The index an older version kept beside a file outside the home's logs dir (moved and deleted with it). */
  #besidePath: string | null;
  #fd = -1;
  #pending: number[] = [];
  #lastOffset = Number.NEGATIVE_INFINITY;
  #lastTs = Number.NEGATIVE_INFINITY;
  #lastWriteTs = Number.NEGATIVE_INFINITY;
  /** The second of the latest run entry, how many runs got one in it, and the time of the latest. */
  #runSecond = Number.NaN;
  #runEntries = 0;
  #lastRunTs = Number.NEGATIVE_INFINITY;
  #writtenAt = 0;
  #isBroken = false;

  /** `homeLogsDir`: the Velos home's logs directory, which holds the index (see `timeIndexPath`). */
  constructor(logPath: string, homeLogsDir?: string) {
    this.#homeLogsDir = homeLogsDir;
    this.#path = timeIndexPath(logPath, homeLogsDir);
    const beside = besideTimeIndexPath(logPath);
    this.#besidePath = beside === this.#path ? null : beside;
  }

  /**
   * Notes that the bytes written at `offset` of the log file arrived at `ts` (epoch ms, or an order
   * key of `ArrivalOrder`). `isRunStart`: they follow lines written to the app's other file, so they
   * get an entry of their own (and the run before them one at its end when it outlasted its last
   * entry), within the limits the class names: a tail merging the two files orders every line by the
   * entry at or before it.
   */
  note(offset: number, ts: number, isRunStart = false): void {
    const run = isRunStart ? this.#runEntryOf(ts) : 'none';
    const startsRun = run !== 'none';
    const bytes = offset - this.#lastOffset;
    const isNewMinute = Math.floor(ts / MINUTE_MS) !== Math.floor(this.#lastTs / MINUTE_MS);
    const previousWriteTs = this.#lastWriteTs;
    const isAfterPause = ts - previousWriteTs >= TIME_INDEX_PAUSE_MS;
    this.#lastWriteTs = ts;
    if (
      !startsRun &&
      bytes < TIME_INDEX_EVERY_BYTES &&
      !isNewMinute &&
      !isAfterPause &&
      (ts - this.#lastTs < 1000 || bytes < TIME_INDEX_MIN_BYTES_PER_SECOND)
    ) {
      return;
    }
    // the lines before a pause end at their own time: interpolated toward the time after it, the
    // last of them would take times inside the pause (a --since there would count them)
    // (beyond the runs of a second that get one, the end of a run is within the 10 ms step: none)
    const endsRun = run === 'counted' && previousWriteTs > this.#lastTs;
    if (isAfterPause || endsRun) this.#endAt(offset, previousWriteTs);
    this.#add(offset, ts);
  }

  /**
   * The log file was opened holding `size` bytes last written at `mtimeMs` (an earlier daemon's, or
   * an earlier run's): its lines end there, whatever comes next and however much later.
   */
  resume(size: number, mtimeMs: number): void {
    if (size <= 0 || !Number.isFinite(mtimeMs)) return;
    // in whole ms like every arrival time: a fraction (the kernel's clock) could put what the file held
    // after a line that arrives later within the same millisecond, whose time is `Date.now()`
    const ts = Math.floor(mtimeMs);
    // kept pending (written with the next entries): opening a file at daemon start writes nothing
    this.#pending.push(size, ts);
    this.#lastOffset = size;
    this.#lastTs = ts;
    this.#lastWriteTs = ts;
  }

  /** Appends the entries not written yet (a reader calls this through the writer first). */
  flush(): void {
    if (this.#pending.length === 0 || this.#isBroken) return;
    const data = Buffer.allocUnsafe(this.#pending.length * 8);
    for (let i = 0; i < this.#pending.length; i += 1) data.writeDoubleLE(this.#pending[i]!, i * 8);
    this.#pending = [];
    this.#writtenAt = Date.now();
    try {
      if (this.#fd === -1) this.#fd = openIndex(this.#path);
      writeSync(this.#fd, data);
    } catch {
      // the index is a help, never a reason to lose lines: without it lines are untimed
      this.#isBroken = true;
    }
  }

  /**
   * The log file, `endOffset` bytes long, was renamed to `rotatedLogPath`: the index gets the time of
   * its last write at its end (its last lines take no later time) and follows it; a new one starts empty.
   */
  rotated(rotatedLogPath: string, endOffset: number): void {
    this.#endAt(endOffset, this.#lastWriteTs);
    this.flush();
    this.#close();
    moveIfThere(this.#path, timeIndexPath(rotatedLogPath, this.#homeLogsDir));
    // an older version's index of the file stays beside it, where readers look for it first
    if (this.#besidePath !== null) moveIfThere(this.#besidePath, besideTimeIndexPath(rotatedLogPath));
    this.#reset();
  }

  /** The log file was emptied or replaced by another: its entries no longer apply. */
  reset(): void {
    this.#pending = [];
    this.#close();
    for (const path of this.#besidePath === null ? [this.#path] : [this.#path, this.#besidePath]) {
      try {
        unlinkSync(path);
      } catch {
        // none yet
      }
    }
    this.#reset();
  }

  /** Writes what is pending and closes the index file. */
  close(): void {
    this.flush();
    this.#close();
  }

  /** Marks that the bytes before `offset` arrived by `ts`, unless an entry already stands at `offset`. */
  #endAt(offset: number, ts: number): void {
    if (offset > this.#lastOffset && ts >= this.#lastTs && Number.isFinite(ts)) this.#add(offset, ts);
  }

  /**
   * Whether a run starting at `ts` gets an entry of its own (see the class): `counted` among the first
   * runs of its second, `step` as the first run of its 10 ms step beyond them, or `none`.
   */
  #runEntryOf(ts: number): 'counted' | 'step' | 'none' {
    const second = Math.floor(ts / 1000);
    if (second !== this.#runSecond) {
      this.#runSecond = second;
      this.#runEntries = 0;
    }
    const step = Math.floor(ts / TIME_INDEX_RUN_STEP_MS);
    const kind =
      this.#runEntries < TIME_INDEX_RUN_ENTRIES_PER_SECOND
        ? 'counted'
        : step !== Math.floor(this.#lastRunTs / TIME_INDEX_RUN_STEP_MS)
          ? 'step'
          : 'none';
    if (kind === 'none') return kind;
    this.#runEntries += 1;
    this.#lastRunTs = ts;
    return kind;
  }

  #add(offset: number, ts: number): void {
    this.#lastOffset = offset;
    this.#lastTs = ts;
    this.#pending.push(offset, ts);
    if (ts - this.#writtenAt >= 1000 || this.#pending.length >= MAX_PENDING_ENTRIES * 2) this.flush();
  }

  #reset(): void {
    this.#lastOffset = Number.NEGATIVE_INFINITY;
    this.#lastTs = Number.NEGATIVE_INFINITY;
    this.#lastWriteTs = Number.NEGATIVE_INFINITY;
    this.#runSecond = Number.NaN;
    this.#runEntries = 0;
    this.#lastRunTs = Number.NEGATIVE_INFINITY;
    this.#isBroken = false;
  }

  #close(): void {
    if (this.#fd === -1) return;
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
    this.#fd = -1;
  }
}

/** Opens an index for appending; its directory (the home's `.tidx/`) is made the first time. */
function openIndex(path: string): number {
  try {
    return openSync(path, APPEND_NO_FOLLOW, 0o640);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { mode: 0o700 });
    return openSync(path, APPEND_NO_FOLLOW, 0o640);
  }
}

function moveIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // no index yet (nothing was noted) or it could not move: the new one starts anyway
  }
}
