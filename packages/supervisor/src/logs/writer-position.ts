import type { LogStream } from './line-batch.js';

/** Where a writer stands, consistent with the lines written so far. */
export interface WriterPosition {
  /** Offset after the last write in the current file. */
  endOffset: number;
  /** Lines written by stream since open or truncate, across rotations. */
  written: Record<LogStream, number>;
  /** Lines of `written` that went to the current file (the rest went to rotated files). */
  inFile: Record<LogStream, number>;
  /** The file the latest rotation renamed away (it may have been gzipped or pruned since), with its lines. */
  previous: { path: string; lines: Record<LogStream, number> } | null;
  /**
   * The files rotated before `previous`, newest first, with their lines (at most `MAX_KNOWN_ROTATIONS`;
   * a pruned one is left out): the notice of a tail of some instances names the one its older lines
   * went to, several rotations back.
   */
  earlier: { path: string; lines: Record<LogStream, number> }[];
  /**
   * The lines of the files rotated before those of `earlier` (past `MAX_KNOWN_ROTATIONS`), newest first,
   * at most `MAX_COUNTED_ROTATIONS`: their paths are not kept, a tail finds them on disk by the order
   * of the rotated names (see `rotatedBefore`). Emptied once a file of `earlier` is pruned (these are older).
   */
  forgotten: number[];
  /**
   * The file that holds the newest of the lines this writer did not write (an earlier daemon's, which
   * the file held when opened, or another process's appended to it): this file's path, or the rotated
   * file they went to since (its `.gz` once compressed); null when there are none, or no longer (a
   * truncate, or the rotated file that held them was pruned).
   */
  earlierIn: string | null;
  /** Lines accepted by `write` since the writer was created: the sequence number of the next line. */
  acceptedLines: number;
  /** Lines of `acceptedLines` the writer is done with (written, failed or discarded by a truncate), in order. */
  settledLines: number;
  /**
   * The sequence number from which every settled line is in the file (or went to a rotated one), the
   * newest at its end: the line after the newest one a failed write lost or a truncate discarded, or
   * the first accepted after `verifyPosition` found bytes this writer did not write; 0 when none was.
   */
  writtenFrom: number;
}

/** The most rotated files before `previous` a position keeps (`earlier`). */
export const MAX_KNOWN_ROTATIONS = 64;

/** The most rotated files before `earlier` a position counts the lines of (`forgotten`): `log_retain`'s maximum. */
export const MAX_COUNTED_ROTATIONS = 1000;

/** The line counters of a position, in the sequence numbers of the lines accepted by the writer. */
export type LineCounters = Pick<WriterPosition, 'acceptedLines' | 'settledLines' | 'writtenFrom'>;

/** The file part of a position, which the writer keeps (the line counters it keeps apart). */
export type FilePosition = Omit<WriterPosition, keyof LineCounters>;

/** The position of the file at `path`, of `endOffset` bytes, that no line was written to yet. */
export function startPosition(endOffset: number, path: string): FilePosition {
  return {
    endOffset,
    written: { out: 0, err: 0 },
    inFile: { out: 0, err: 0 },
    previous: null,
    earlier: [],
    forgotten: [],
    earlierIn: endOffset > 0 ? path : null,
  };
}

/** Counts `lines` of `stream` as written to the current file. */
export function countWritten(position: FilePosition, stream: LogStream, lines: number): void {
  position.written[stream] += lines;
  position.inFile[stream] += lines;
}

/** A copy of `position` with the line counters, sharing nothing with it. */
export function copyPosition(position: FilePosition, counters: LineCounters): WriterPosition {
  const { endOffset, written, inFile, previous, earlier, forgotten, earlierIn } = position;
  return {
    endOffset,
    earlierIn,
    written: { ...written },
    inFile: { ...inFile },
    previous: previous && { path: previous.path, lines: { ...previous.lines } },
    earlier: earlier.map((file) => ({ path: file.path, lines: { ...file.lines } })),
    forgotten: forgotten.slice(),
    acceptedLines: counters.acceptedLines,
    settledLines: counters.settledLines,
    writtenFrom: counters.writtenFrom,
  };
}
