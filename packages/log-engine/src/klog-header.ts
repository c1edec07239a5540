import type { LeadingTimestamp } from './timestamp.js';

/**
 * A klog/glog header (Kubernetes components, many Go programs): `E1204 10:00:00.123456   12345 file.go:123] `
 * — a level letter, month and day, the time of day, a thread or process id padded with spaces, and the
 * file and line of code, then `] ` and the message. Sticky: tried where a header may start.
 */
const KLOG_HEADER = /[IWEF](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? +(?:\d+ +)?[^\s\]]+:\d+\] ?/y;

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
export function parseKlogHeader(line: string, reference?: number): LeadingTimestamp | undefined {
  const match = matchKlogHeader(line, 0);
  if (match === undefined) return undefined;
  // the clock is read only for a header: most lines have none, and the parsers try every line
  const now = reference ?? Date.now();
  const month = Number(match[1]) - 1;
  const day = Number(match[2]);
  const hour = Number(match[3]);
  const minute = Number(match[4]);
  const second = Number(match[5]);
  const ms = match[6] === undefined ? 0 : Math.floor(Number(`0.${match[6]}`) * 1000);
  const year = new Date(now).getFullYear();
  let ts = new Date(year, month, day, hour, minute, second, ms).getTime();
  if (ts > now + 86_400_000) ts = new Date(year - 1, month, day, hour, minute, second, ms).getTime();
  return { ts, end: match[0].length };
}

/**
 * Where the message starts after a klog/glog header at `from` (a header behind a time prefix: a line
 * written with `--time`, `kubectl logs --timestamps`), or -1 when no header starts there.
 */
export function klogHeaderEnd(line: string, from: number): number {
  const match = matchKlogHeader(line, from);
  return match === undefined ? -1 : from + match[0].length;
}

/** The header at `from` with a month, day and time of day that exist, if any. */
function matchKlogHeader(line: string, from: number): RegExpExecArray | undefined {
  // cheap first: a level letter, then a digit
  const c = line.charCodeAt(from);
  if (!(c === 73 || c === 87 || c === 69 || c === 70)) return undefined;
  const d = line.charCodeAt(from + 1);
  if (d < 48 || d > 57) return undefined;
  KLOG_HEADER.lastIndex = from;
  const match = KLOG_HEADER.exec(line);
  if (match === null) return undefined;
  const month = Number(match[1]);
  const day = Number(match[2]);
  if (month > 12 || day < 1 || day > 31) return undefined;
  if (Number(match[3]) > 23 || Number(match[4]) > 59 || Number(match[5]) > 60) return undefined;
  return match;
}
