import type { Level } from './levels.js';
import type { LeadingTimestamp } from './timestamp.js';

/**
 * The header of Android's `adb logcat` (its default `threadtime` format): `03-17 16:13:38.811  1702  2395 D `
 * — month and day, the time of day with milliseconds, process and thread ids, and the priority letter
 * (V verbose, D debug, I info, W warn, E error, F fatal, A assert), then the tag, `: ` and the message.
 * Sticky: tried at the start of a line.
 */
const LOGCAT_HEADER = /(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) +\d+ +\d+ ([VDIWEFA]) /y;

/** The level of each logcat priority letter. */
const PRIORITY: Readonly<Record<string, Level>> = {
  V: 'debug',
  D: 'debug',
  I: 'info',
  W: 'warn',
  E: 'error',
  F: 'fatal',
  A: 'fatal',
};

/**
 * Reads the logcat header that starts `line`, like a leading timestamp: its time (local, this year, or
 * last year when it would lie more than a day ahead: the header names no year) and where the message
 * (the tag, `: ` and the text) starts. Undefined when the line does not start with one.
 *
 * @example
 * parseLogcatHeader('03-17 16:13:38.811  1702  2395 E ActivityManager: ANR in com.x')?.end; // 33
 */
export function parseLogcatHeader(line: string, reference?: number): LeadingTimestamp | undefined {
  const match = matchLogcatHeader(line);
  if (match === undefined) return undefined;
  const now = reference ?? Date.now();
  const month = Number(match[1]) - 1;
  const day = Number(match[2]);
  const time = [Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])] as const;
  const year = new Date(now).getFullYear();
  let ts = new Date(year, month, day, ...time).getTime();
  if (ts > now + 86_400_000) ts = new Date(year - 1, month, day, ...time).getTime();
  return { ts, end: match[0].length };
}

/** The level the priority letter of a logcat header at the start of `text` names, if it starts with one. */
export function logcatLevel(text: string): Level | undefined {
  const match = matchLogcatHeader(text);
  return match === undefined ? undefined : PRIORITY[match[7]!];
}

/** The header at the start of `line` with a month, day and time of day that exist, if any. */
function matchLogcatHeader(line: string): RegExpExecArray | undefined {
  // cheap first: `dd-dd dd:`
  if (line.charCodeAt(2) !== 45 || line.charCodeAt(5) !== 32 || line.charCodeAt(8) !== 58) return undefined;
  LOGCAT_HEADER.lastIndex = 0;
  const match = LOGCAT_HEADER.exec(line);
  if (match === null) return undefined;
  const month = Number(match[1]);
  const day = Number(match[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (Number(match[3]) > 23 || Number(match[4]) > 59 || Number(match[5]) > 60) return undefined;
  return match;
}
