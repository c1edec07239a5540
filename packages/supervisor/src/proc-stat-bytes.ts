import { readProcInto } from './proc-read.js';

/**
 * One buffer for every `/proc/<pid>/stat` read of the daemon: `readFileSync` allocated two 8 KB buffers
 * per read (the file reports size 0), which a monitor tick over every process of the machine turned into
 * megabytes of malloc churn that stayed resident (issue 17).
 */
export const STAT_BYTES = Buffer.alloc(1024);

const CLOSE_PAREN = 0x29;
const SPACE = 0x20;
// the typed array's builtins: Buffer's own `indexOf`/`lastIndexOf` are JavaScript wrappers around a binding
const indexOfByte = Uint8Array.prototype.indexOf;
const lastIndexOfByte = Uint8Array.prototype.lastIndexOf;

/** Reads `/proc/<pid>/stat` into `STAT_BYTES`; the number of bytes read, or -1 when the process is gone. */
export function readStatBytes(pid: number): number {
  return readProcInto(`/proc/${pid}/stat`, STAT_BYTES);
}

/** The figures of one `/proc/<pid>/stat` the daemon uses; `state` is the state letter's char code. */
export interface StatFigures {
  state: number;
  ppid: number;
  pgrp: number;
  /** utime + stime in clock ticks. */
  ticks: number;
  startTicks: number;
  rssPages: number;
}

/**
 * Parses the stat bytes `bytes[0, length)` into `into` without allocating; false when they are not a stat
 * line. Fields start after the last `)`: the command name may hold spaces and parentheses. The byte
 * searches are `Uint8Array`'s builtin `lastIndexOf`/`indexOf` (issue 17): a loop over every byte in
 * JavaScript made this the daemon's hottest function with 10 idle apps (the monitor parses every process
 * of the machine every 10 s), enough for Node 20 to page TurboFan (~3.6 MB) into the daemon.
 */
export function parseStatBytes(bytes: Uint8Array, length: number, into: StatFigures): boolean {
  if (length <= 0) return false;
  let at = lastIndexOfByte.call(bytes, CLOSE_PAREN, length - 1);
  if (at < 0) return false;
  at += 2;
  // fields counted from the state: 0 state, 1 ppid, 2 pgrp, 11 utime, 12 stime, 19 starttime, 21 rss
  for (let field = 0; field <= 21; field += 1) {
    if (at >= length) return false;
    if (field === 0) into.state = bytes[at]!;
    else if (field === 1) into.ppid = numberAt(bytes, length, at);
    else if (field === 2) into.pgrp = numberAt(bytes, length, at);
    else if (field === 11) into.ticks = numberAt(bytes, length, at);
    else if (field === 12) into.ticks += numberAt(bytes, length, at);
    else if (field === 19) into.startTicks = numberAt(bytes, length, at);
    else if (field === 21) into.rssPages = numberAt(bytes, length, at);
    const space = indexOfByte.call(bytes, SPACE, at);
    at = (space < 0 || space >= length ? length : space) + 1;
  }
  return true;
}

/** The unsigned decimal number at `at` (0 where there is none, e.g. a negative one). */
function numberAt(bytes: Uint8Array, length: number, at: number): number {
  let value = 0;
  for (let i = at; i < length; i += 1) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}
