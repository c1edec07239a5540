import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads of small `/proc` files for the restart path and the monitor (issue 17). `readFileSync` sees a size of 0 for
 * them and allocates a fresh 64 KB buffer per read (about as long as the read itself); these reads
 * go through one buffer kept between calls, grown for a large file (an `environ`) and dropped back
 * to its first size after it.
 */
const INITIAL_BYTES = 8 * 1024;
const MAX_BYTES = 4 * 1024 * 1024;

let shared: Buffer | null = null;

/** The text (latin1) of a `/proc` file; null when it cannot be read (the process is gone). */
export function readProcText(path: string): string | null {
  return withProcFile(path, (buffer, length) => buffer.toString('latin1', 0, length));
}

/** Reads a `/proc` file into `buffer` (one read: it must be large enough); the bytes read, or -1 when it cannot be read. */
export function readProcInto(path: string, buffer: Buffer): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    return readSync(fd, buffer, 0, buffer.length, null);
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
}

/** A copy of the bytes of a `/proc` file; null when it cannot be read. */
export function readProcBytes(path: string): Buffer | null {
  return withProcFile(path, (buffer, length) => Buffer.from(buffer.subarray(0, length)));
}

function withProcFile<T>(path: string, take: (buffer: Buffer, length: number) => T): T | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let buffer = shared ?? Buffer.allocUnsafe(INITIAL_BYTES);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (buffer.length >= MAX_BYTES) break;
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    shared = buffer.length === INITIAL_BYTES ? buffer : null;
    return take(buffer, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
