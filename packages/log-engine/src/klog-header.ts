import type { LeadingTimestamp } from './timestamp.js';

/**
 * A klog/glog header (Kubernetes components, many Go programs): `E1204 10:00:00.123456   12345 file.go:123] `
 * — a level letter, month and day, the time of day, a thread or process id padded with spaces, and the
 * file and line of code, then `] ` and the message.
 */
const KLOG_HEADER = /^[IWEF](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? +(?:\d+ +)?[^\s\]]+:\d+\] ?/;

/**
 * Reads the klog/glog header that starts `line`, like a leading timestamp: its time (local, this year,
 * or last year when it would lie more than a day ahead: the header names no year) and where the message
 * starts. The level letter is the classifier's (`labelOf`); the header leaves the mined message, so one
 * message at two levels, from two processes or two lines of code is one template. Undefined when the
 * line does not start with one.
 *
 * @example
 * parseKlogHeader('E1204 10:00:00.123456   12345 server.go:88] dial failed')?.end; // 44
 */
export function parseKlogHeader(line: string, now = Date.now()): LeadingTimestamp | undefined {
  // cheap first: a level letter, then a digit
  const c = line.charCodeAt(0);
  if (!(c === 73 || c === 87 || c === 69 || c === 70)) return undefined;
  const d = line.charCodeAt(1);
  if (d < 48 || d > 57) return undefined;
  const match = KLOG_HEADER.exec(line);
  if (match === null) return undefined;
  const month = Number(match[1]) - 1;
  const day = Number(match[2]);
  const hour = Number(match[3]);
  const minute = Number(match[4]);
  const second = Number(match[5]);
  if (month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = match[6] === undefined ? 0 : Math.floor(Number(`0.${match[6]}`) * 1000);
  const year = new Date(now).getFullYear();
  let ts = new Date(year, month, day, hour, minute, second, ms).getTime();
  if (ts > now + 86_400_000) ts = new Date(year - 1, month, day, hour, minute, second, ms).getTime();
  return { ts, end: match[0].length };
}
