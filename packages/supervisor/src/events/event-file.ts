import {
  closeSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { APPEND_NO_FOLLOW, openNoFollow, type VelosEvent } from '@velos/core';
import { endsMidLine } from '../last-byte.js';

/** `events.jsonl` is rotated to `events.jsonl.1` once it passes this size (so at most twice this is kept). */
export const EVENT_FILE_MAX_BYTES = 10 * 1024 * 1024;
/** Backward scans read 8 KiB first (the newest event is usually all that is asked), then ever larger chunks. */
const FIRST_CHUNK_BYTES = 8 * 1024;
const MAX_CHUNK_BYTES = 256 * 1024;

/** The append-only record of the bus: one JSON event per line, rotated by size. */
export interface EventFile {
  /** Appends the events (one write); a failed write is reported by `onError` and the events stay in memory only. */
  append(events: VelosEvent[]): void;
  /** The `seq` of the newest event written before this daemon started (0 for none). */
  lastSeq(): number;
  /**
   * Visits written events newest first (the current file, then the rotated one) until `visit`
   * returns false; lines that do not parse are skipped.
   */
  scanBackwards(visit: (event: VelosEvent) => boolean): void;
  close(): void;
}

/** Opens (creating, mode 0600, never through a link) the event file at `path`. */
export function openEventFile(
  path: string,
  options: { maxBytes?: number; onError?: (error: unknown) => void; chunkBytes?: number } = {},
): EventFile {
  const maxBytes = options.maxBytes ?? EVENT_FILE_MAX_BYTES;
  const chunkBytes = options.chunkBytes ?? MAX_CHUNK_BYTES;
  const onError = options.onError ?? (() => undefined);
  let fd: number | null = null;
  let sizeBytes = 0;
  /** The file ends with a line cut short (a crash mid-write): the next write starts on a new line. */
  let isLineOpen = false;

  const open = (): number => {
    if (fd === null) {
      fd = openNoFollow(path, APPEND_NO_FOLLOW, 0o600, true);
      sizeBytes = fstatSync(fd).size;
      isLineOpen = endsMidLine(path, sizeBytes);
    }
    return fd;
  };

  const rotate = (): void => {
    if (fd !== null) closeSync(fd);
    fd = null;
    try {
      unlinkSync(`${path}.1`);
    } catch {
      // there was no rotated file yet
    }
    renameSync(path, `${path}.1`);
  };

  return {
    append(events) {
      if (events.length === 0) return;
      const text = `${events.map((event) => JSON.stringify(event)).join('\n')}\n`;
      try {
        const target = open();
        const bytes = Buffer.from(isLineOpen ? `\n${text}` : text);
        writeSync(target, bytes);
        isLineOpen = false;
        sizeBytes += bytes.length;
        if (sizeBytes >= maxBytes) rotate();
      } catch (error) {
        onError(error);
      }
    },
    lastSeq() {
      let seq = 0;
      scanFile(
        path,
        (event) => {
          seq = event.seq;
          return false;
        },
        chunkBytes,
      );
      if (seq === 0) {
        scanFile(
          `${path}.1`,
          (event) => {
            seq = event.seq;
            return false;
          },
          chunkBytes,
        );
      }
      return seq;
    },
    scanBackwards(visit) {
      if (scanFile(path, visit, chunkBytes)) scanFile(`${path}.1`, visit, chunkBytes);
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** Visits the events of one file newest first; false when `visit` stopped the scan. */
function scanFile(path: string, visit: (event: VelosEvent) => boolean, maxChunkBytes: number): boolean {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return true;
    fd = openSync(path, 'r');
  } catch {
    return true;
  }
  try {
    let position = fstatSync(fd).size;
    // bytes, not text: a character split between two chunks must be decoded whole
    let carry = Buffer.alloc(0);
    let chunkBytes = Math.min(FIRST_CHUNK_BYTES, maxChunkBytes);
    while (position > 0) {
      const length = Math.min(chunkBytes, position);
      chunkBytes = Math.min(chunkBytes * 4, maxChunkBytes);
      position -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, position);
      const bytes = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
      // the first piece may be the end of a line that started in an earlier chunk
      const start = position > 0 ? bytes.indexOf(10) + 1 : 0;
      if (position > 0 && start === 0) {
        carry = bytes;
        continue;
      }
      carry = bytes.subarray(0, start);
      const lines = bytes.subarray(start).toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        const event = parseEvent(lines[i]!);
        if (event && !visit(event)) return false;
      }
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

function parseEvent(line: string): VelosEvent | null {
  if (line.length === 0) return null;
  try {
    const value = JSON.parse(line) as VelosEvent;
    return typeof value?.seq === 'number' && typeof value.kind === 'string' && typeof value.at === 'number'
      ? value
      : null;
  } catch {
    return null;
  }
}
