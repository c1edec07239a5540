import { closeSync, fstatSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { APPEND_NO_FOLLOW, openNoFollow, type VelosEvent } from '@velos/core';
import { endsMidLine } from '../last-byte.js';
import {
  type EventVisitor,
  MAX_SCAN_CHUNK_BYTES,
  scanFileBackwards,
  scanFileBackwardsSync,
} from './event-file-scan.js';

/** `events.jsonl` is rotated to `events.jsonl.1` once it passes this size (so at most twice this is kept). */
export const EVENT_FILE_MAX_BYTES = 10 * 1024 * 1024;

/** The append-only record of the bus: one JSON event per line, rotated by size. */
export interface EventFile {
  /** Appends the events (one write); a failed write is reported by `onError` and the events stay in memory only. */
  append(events: VelosEvent[]): void;
  /** The `seq` of the newest event written before this daemon started (0 for none). */
  lastSeq(): number;
  /**
   * Visits written events newest first (the current file, then the rotated one) until `visit`
   * returns false; lines that do not parse are skipped. The reads are asynchronous, chunk by chunk
   * (at most 64 KiB parsed between two turns of the event loop): a scan of a long file never blocks the
   * daemon. Events written meanwhile are not visited.
   */
  scanBackwards(visit: EventVisitor): Promise<void>;
  /** `scanBackwards` with blocking reads (the daemon's start only). */
  scanBackwardsSync(visit: EventVisitor): void;
  close(): void;
}

/** Opens (creating, mode 0600, never through a link) the event file at `path`. */
export function openEventFile(
  path: string,
  options: { maxBytes?: number; onError?: (error: unknown) => void; chunkBytes?: number } = {},
): EventFile {
  const maxBytes = options.maxBytes ?? EVENT_FILE_MAX_BYTES;
  const chunkBytes = options.chunkBytes ?? MAX_SCAN_CHUNK_BYTES;
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
      scanFileBackwardsSync(
        path,
        (event) => {
          seq = event.seq;
          return false;
        },
        chunkBytes,
      );
      if (seq === 0) {
        scanFileBackwardsSync(
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
    async scanBackwards(asked) {
      const visit = onceEach(asked);
      if (await scanFileBackwards(path, visit, chunkBytes))
        await scanFileBackwards(`${path}.1`, visit, chunkBytes);
    },
    scanBackwardsSync(asked) {
      const visit = onceEach(asked);
      if (scanFileBackwardsSync(path, visit, chunkBytes))
        scanFileBackwardsSync(`${path}.1`, visit, chunkBytes);
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/**
 * A visitor that skips an event it has seen: events are visited newest first, so one whose seq is not
 * below the last visited is a repeat (a rotation while an asynchronous scan ran renamed the file it read
 * to the rotated one it reads next).
 */
function onceEach(visit: EventVisitor): EventVisitor {
  let lowest = Number.POSITIVE_INFINITY;
  return (event) => {
    if (event.seq >= lowest) return true;
    lowest = event.seq;
    return visit(event);
  };
}
