import { closeSync, constants, openSync, readSync } from 'node:fs';

const NEWLINE = 10;

/**
 * True when the file at `path`, `sizeBytes` long, ends inside a line (its last byte is not a newline): a
 * writer killed mid-write, or another program, left a line unfinished, and the next line written must
 * start on a line of its own. Opened without following a link; false when it cannot be read.
 */
export function endsMidLine(path: string, sizeBytes: number): boolean {
  if (sizeBytes <= 0) return false;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    const byte = Buffer.alloc(1);
    return readSync(fd, byte, 0, 1, sizeBytes - 1) === 1 && byte[0] !== NEWLINE;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
