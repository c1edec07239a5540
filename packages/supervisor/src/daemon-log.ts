import {
  closeSync,
  constants,
  copyFileSync,
  fstatSync,
  ftruncateSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { APPEND_NO_FOLLOW, isoTime, openNoFollow } from '@velos/core';
import { createRepeatFilter } from './log-repeats.js';

/** `daemon.log` is rotated once it passes this size. */
export const DAEMON_LOG_MAX_BYTES = 10 * 1024 * 1024;
/** Rotated copies kept: `daemon.log.1` (newest) to `daemon.log.3`. */
export const DAEMON_LOG_KEEP = 3;

/** The daemon's own log: one timestamped line per call, appended to `daemon.log`. */
export interface DaemonLog {
  (line: string): void;
  /** Writes pending repeat counts and closes the file. */
  close(): void;
}

/** Options of `createDaemonLog`. */
export interface DaemonLogOptions {
  /** Every line is also written there (stderr for `velos daemon --foreground`). */
  mirror?: NodeJS.WritableStream;
  /** Rotate past this size; default `DAEMON_LOG_MAX_BYTES`. */
  maxBytes?: number;
  /** Rotated copies kept; default `DAEMON_LOG_KEEP`. */
  keep?: number;
}

/**
 * Opens `path` for appending (mode 0600, never through a symbolic link). Repeated lines are
 * collapsed into a count (`createRepeatFilter`), and past `maxBytes` the file is rotated by
 * copy and truncate, so that the daemon's stderr, which the launcher points at this same file
 * (V8's fatal errors are printed there), keeps landing in `daemon.log`.
 */
export function createDaemonLog(path: string, options: DaemonLogOptions = {}): DaemonLog {
  const maxBytes = options.maxBytes ?? DAEMON_LOG_MAX_BYTES;
  const keep = Math.max(1, options.keep ?? DAEMON_LOG_KEEP);
  let fd: number | null = openNoFollow(path, APPEND_NO_FOLLOW, 0o600, true);
  let sizeBytes = fstatSync(fd).size;
  let rotateAtBytes = maxBytes;
  let echo = options.mirror;
  // a closed terminal must not turn every log line into an uncaught EPIPE
  echo?.on('error', () => {
    echo = undefined;
  });

  const rotate = (): void => {
    if (fd === null) return;
    // the copy first: the older copies shift only once it is made, so a full disk drops none of them
    const copy = `${path}.rotating`;
    try {
      unlinkQuietly(copy);
      copyFileSync(path, copy, constants.COPYFILE_EXCL);
    } catch {
      unlinkQuietly(copy);
      // a full disk cannot hold the copy: try again after another quarter of the limit
      rotateAtBytes = sizeBytes + Math.ceil(maxBytes / 4);
      return;
    }
    for (let n = keep - 1; n >= 1; n -= 1) renameQuietly(`${path}.${n}`, `${path}.${n + 1}`);
    renameQuietly(copy, `${path}.1`);
    try {
      ftruncateSync(fd, 0);
      sizeBytes = fstatSync(fd).size;
    } catch {
      // kept as it is: the next rotation copies it again
    }
    rotateAtBytes = sizeBytes + maxBytes;
  };

  const writeLine = (line: string): void => {
    const text = `${isoTime(Date.now())} [${process.pid}] ${line}\n`;
    if (fd !== null) {
      try {
        sizeBytes += writeSync(fd, text);
      } catch {
        // a full disk must not take the daemon down with it
      }
      if (sizeBytes >= rotateAtBytes) rotate();
    }
    echo?.write(text);
  };
  const repeats = createRepeatFilter(writeLine);

  return Object.assign((line: string) => repeats.push(line), {
    close() {
      repeats.flush();
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  });
}

function renameQuietly(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // no such copy yet
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}
