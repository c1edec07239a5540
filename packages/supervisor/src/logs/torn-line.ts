import { fstat } from 'node:fs';

/** Cuts `fd` to `length` bytes (like `fs.ftruncate`); injectable so tests can simulate a disk where that fails too. */
export type FtruncateFunction = (
  fd: number,
  length: number,
  callback: (error: NodeJS.ErrnoException | null) => void,
) => void;

/** Ends a torn line that could not be cut off, before the next write. */
export const TORN_LINE_END = Buffer.from('\n');

/**
 * Cuts the file of `fd` back to `endOffset` (the end of its last whole line) if it ends at `fileEnd`,
 * where the torn line after it ends; `done` tells whether it was cut. The caller runs it while the
 * failed write is still in flight, so no rotation, reopen or truncation moves the descriptor
 * meanwhile; O_APPEND writes then go to the new end.
 */
export function cutTornLine(
  fd: number,
  endOffset: number,
  fileEnd: number,
  ftruncate: FtruncateFunction,
  done: (isCut: boolean) => void,
): void {
  fstat(fd, (statError, stats) => {
    // another process appended to the file after the torn line: cutting would lose its lines
    if (statError || stats.size !== fileEnd) {
      done(false);
      return;
    }
    ftruncate(fd, endOffset, (error) => done(!error));
  });
}
