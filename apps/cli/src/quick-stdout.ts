import { writeSync } from 'node:fs';
import { nodeBinding } from '@velos/client/quick';
import { exitQuietlyOnEpipe } from './report-error.js';

/**
 * Stdout of the quick paths (issue 17). When it is not a terminal, text goes out with `writeSync` on
 * fd 1 instead of through `process.stdout`, whose creation for a pipe loads `net` and the stream classes
 * (for a file or /dev/null, the stream classes): ~2 ms of a `velos list` that needs none of it. The bytes
 * are the same; a terminal, or an fd 1 that refuses a synchronous write (EAGAIN), gets `process.stdout`.
 */

// set once process.stdout (or process.stderr) was used: the exit then waits for what they hold
let isStreamUsed = false;

/** True when stdout is a terminal (what `process.stdout.isTTY` says), without creating `process.stdout`. */
export function isStdoutTTY(): boolean {
  const isTTY = nodeBinding('tty_wrap')?.isTTY;
  if (typeof isTTY === 'function') {
    if (isTTY(1) !== true) return false;
    switchToStreams();
    return true;
  }
  switchToStreams();
  return process.stdout.isTTY === true;
}

/** Writes `text` to stdout; `isStdoutTTY()` must have been called first. */
export function writeStdout(text: string): void {
  if (isStreamUsed) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(1, bytes, offset);
  } catch (error) {
    // a reader that went away: exit quietly, as with process.stdout (exitQuietlyOnEpipe)
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
    // EAGAIN (a non-blocking fd 1) or anything else: the stream writes the rest, or reports the error
    switchToStreams();
    process.stdout.write(bytes.subarray(offset));
  }
}

/** The quick paths are about to write to stderr (an error, the daemon's start-up warnings). */
export function switchToStreams(): void {
  if (isStreamUsed) return;
  isStreamUsed = true;
  exitQuietlyOnEpipe();
}

/**
 * Ends the command once what it printed is written: Node's orderly exit tears down the heap and its
 * worker threads first, several milliseconds of a `velos list` or `velos start` that has nothing left to
 * do. Output a stream still holds for a slow reader is left to the normal exit, which waits for it. The
 * exit code is `process.exitCode`, as on a normal exit.
 */
export function exitOnceWritten(): void {
  if (!isStreamUsed || (process.stdout.writableLength === 0 && process.stderr.writableLength === 0)) {
    process.exit();
  }
}
