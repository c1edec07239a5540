import type { FileHandle } from 'node:fs/promises';
import { bytesUnlessUtf8 } from './line-batch.js';
import { openLogForReading } from './open-log-file.js';

const BLOCK_BYTES = 64 * 1024;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/**
 * Sees one line read back: its text (without its newline and a trailing `\r`), the file offsets it
 * starts at and ends at (after its newline), and its bytes when they are not valid UTF-8 (the text
 * shows U+FFFD for them). Returns false to stop reading.
 */
export type LineVisitor = (line: string, offset: number, end: number, bytes?: Buffer) => boolean;

/** What a backwards read found out: the file's mtime, and where a line too long to hold ends (`hasLongLine`). */
export interface BackwardsRead {
  mtimeMs: number;
  /** How many of the `skip` lines asked to be passed over the file held (fewer: it holds no more). */
  skipped: number;
  hasLongLine?: true;
  /** The offset after the newline of the line too long to hold. */
  longLineEnd?: number;
}

/**
 * Reads the lines of `path` that end before byte `endOffset` backwards, newest first, in blocks of
 * 64 KiB (never the whole file): the newest `skip` lines are passed over without being decoded, then
 * each line goes to `visit` until it returns false or the file's start is reached. A line longer than
 * `maxLineBytes` is never held: reading stops there and `hasLongLine` is set. Resolves the file's
 * mtime, or null when the file does not exist. `opened`: the file, opened already (then not closed here).
 */
export async function readLinesBackwards(
  path: string,
  endOffset: number,
  skip: number,
  visit: LineVisitor,
  maxLineBytes = Number.POSITIVE_INFINITY,
  opened?: FileHandle,
): Promise<BackwardsRead | null> {
  const handle = opened ?? (await openLogForReading(path));
  if (!handle) return null;
  try {
    const stat = await handle.stat();
    const end = Math.min(endOffset, stat.size);
    let toSkip = skip;
    let pieces: Buffer[] = [];
    let pieceBytes = 0;
    let going = true;
    let hasLongLine = false;
    let lineEnd = end;
    const finishLine = (offset: number): void => {
      if (toSkip > 0) toSkip -= 1;
      else {
        const data = lineBytes(pieces);
        const text = data.toString('utf8');
        going = visit(text, offset, lineEnd, bytesUnlessUtf8(text, data));
      }
      lineEnd = offset;
      pieces = [];
      pieceBytes = 0;
    };
    let position = end;
    while (position > 0 && going) {
      const size = Math.min(BLOCK_BYTES, position);
      position -= size;
      const block = Buffer.allocUnsafe(size);
      if (!(await readFully(handle, block, position))) break;
      let stop = size;
      if (position + size === end && block[size - 1] === NEWLINE) stop = size - 1;
      while (going) {
        const newline = stop > 0 ? block.lastIndexOf(NEWLINE, stop - 1) : -1;
        if (toSkip === 0 && stop > newline + 1) {
          pieceBytes += stop - newline - 1;
          if (pieceBytes > maxLineBytes) {
            hasLongLine = true;
            going = false;
            break;
          }
          pieces.unshift(block.subarray(newline + 1, stop));
        }
        if (newline === -1) break;
        finishLine(position + newline + 1);
        stop = newline;
      }
    }
    if (going && position === 0 && end > 0) finishLine(0);
    const skipped = skip - toSkip;
    return hasLongLine
      ? { mtimeMs: stat.mtimeMs, skipped, hasLongLine: true, longLineEnd: lineEnd }
      : { mtimeMs: stat.mtimeMs, skipped };
  } finally {
    // a file opened by the caller (`opened`) stays the caller's to close
    if (opened === undefined) await handle.close();
  }
}

/** The bytes of a line from its pieces, without a trailing `\r`. */
function lineBytes(pieces: Buffer[]): Buffer {
  const data = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  return data.length > 0 && data[data.length - 1] === CARRIAGE_RETURN ? data.subarray(0, -1) : data;
}

async function readFully(handle: FileHandle, block: Buffer, position: number): Promise<boolean> {
  let offset = 0;
  while (offset < block.length) {
    const { bytesRead } = await handle.read(block, offset, block.length - offset, position + offset);
    if (bytesRead === 0) return false;
    offset += bytesRead;
  }
  return true;
}

/**
 * Counts the lines of `path` that end before byte `endOffset` (a line start), reading backwards in
 * 64 KiB blocks without keeping them: stops at `maxLines` or after `maxBytes`. `isComplete` is false
 * when it stopped before the file's start; resolves null when the file does not exist.
 */
export async function countLinesBackwards(
  path: string,
  endOffset: number,
  maxLines: number,
  maxBytes: number,
): Promise<{ lines: number; isComplete: boolean } | null> {
  const handle = await openLogForReading(path);
  if (!handle) return null;
  try {
    let lines = 0;
    let position = Math.min(endOffset, (await handle.stat()).size);
    const lowest = Math.max(0, position - maxBytes);
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    while (position > lowest && lines < maxLines) {
      const size = Math.min(BLOCK_BYTES, position - lowest);
      position -= size;
      const view = block.subarray(0, size);
      if (!(await readFully(handle, view, position))) break;
      for (let at = view.indexOf(NEWLINE); at !== -1; at = view.indexOf(NEWLINE, at + 1)) lines += 1;
    }
    const isComplete = position === 0 || lines >= maxLines;
    return { lines: Math.min(lines, maxLines), isComplete };
  } finally {
    await handle.close();
  }
}
