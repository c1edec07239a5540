import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { VelosEvent } from '@velos/core';

/** Backward scans read 8 KiB first (the newest event is usually all that is asked), then ever larger chunks. */
const FIRST_CHUNK_BYTES = 8 * 1024;
/** The largest chunk of a scan: what is parsed between two turns of the daemon's event loop. */
export const MAX_SCAN_CHUNK_BYTES = 64 * 1024;

/** Visits an event of a backward scan; false stops the scan. */
export type EventVisitor = (event: VelosEvent) => boolean;

/**
 * Visits the events of the file at `path` newest first, reading it from its end in chunks with
 * asynchronous reads (the event loop turns between two chunks: a long scan never blocks the daemon);
 * false when `visit` stopped the scan. A missing file has no events.
 */
export async function scanFileBackwards(
  path: string,
  visit: EventVisitor,
  maxChunkBytes = MAX_SCAN_CHUNK_BYTES,
): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    if (!(await stat(path)).isFile()) return true;
    handle = await open(path, 'r');
  } catch {
    return true;
  }
  try {
    const lines = new BackwardLines((await handle.stat()).size, maxChunkBytes);
    for (let chunk = lines.next(); chunk !== undefined; chunk = lines.next()) {
      await handle.read(chunk.buffer, 0, chunk.buffer.length, chunk.position);
      if (!visitLines(lines.take(chunk), visit)) return false;
    }
    return true;
  } finally {
    await handle.close();
  }
}

/** `scanFileBackwards` with blocking reads: for the newest event at the daemon's start (one small chunk). */
export function scanFileBackwardsSync(
  path: string,
  visit: EventVisitor,
  maxChunkBytes = MAX_SCAN_CHUNK_BYTES,
): boolean {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return true;
    fd = openSync(path, 'r');
  } catch {
    return true;
  }
  try {
    const lines = new BackwardLines(fstatSync(fd).size, maxChunkBytes);
    for (let chunk = lines.next(); chunk !== undefined; chunk = lines.next()) {
      readSync(fd, chunk.buffer, 0, chunk.buffer.length, chunk.position);
      if (!visitLines(lines.take(chunk), visit)) return false;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

/** One chunk to read: `buffer.length` bytes at `position`. */
interface Chunk {
  buffer: Buffer;
  position: number;
}

/** Cuts a file read from its end chunk by chunk into whole lines, newest last in each batch. */
class BackwardLines {
  private position: number;
  private chunkBytes: number;
  // bytes, not text: a character split between two chunks must be decoded whole
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    sizeBytes: number,
    private readonly maxChunkBytes: number,
  ) {
    this.position = sizeBytes;
    this.chunkBytes = Math.min(FIRST_CHUNK_BYTES, maxChunkBytes);
  }

  /** The next chunk to read (before the last one), or undefined at the start of the file. */
  next(): Chunk | undefined {
    if (this.position <= 0) return undefined;
    const length = Math.min(this.chunkBytes, this.position);
    this.chunkBytes = Math.min(this.chunkBytes * 4, this.maxChunkBytes);
    this.position -= length;
    return { buffer: Buffer.alloc(length), position: this.position };
  }

  /** The whole lines that `chunk`, once read, completes (oldest first); a line cut by the chunk waits for the next. */
  take(chunk: Chunk): string[] {
    const bytes = this.carry.length > 0 ? Buffer.concat([chunk.buffer, this.carry]) : chunk.buffer;
    // the first piece may be the end of a line that started in an earlier chunk
    const start = chunk.position > 0 ? bytes.indexOf(10) + 1 : 0;
    if (chunk.position > 0 && start === 0) {
      this.carry = bytes;
      return [];
    }
    this.carry = bytes.subarray(0, start);
    return bytes.subarray(start).toString('utf8').split('\n');
  }
}

/** Visits the events of `lines` newest first; false when `visit` stopped. */
function visitLines(lines: string[], visit: EventVisitor): boolean {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const event = parseEvent(lines[i]!);
    if (event && !visit(event)) return false;
  }
  return true;
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
