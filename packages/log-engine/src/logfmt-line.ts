import { parseTimestamp } from './timestamp.js';

/** A logfmt line taken apart: its time and the text that is mined. */
export interface LogfmtLine {
  ts: number | undefined;
  /** The `msg` value, then the line's other pairs as written (time and level left out). */
  message: string;
}

const FIRST_KEYS = new Set(['time', 'ts', 't', 'timestamp', 'level', 'lvl', 'severity']);
const TIME_KEYS = new Set(['time', 'ts', 't', 'timestamp']);
const LEVEL_KEYS = new Set(['level', 'lvl', 'severity']);

/**
 * Parses a logfmt line (`key=value key="quoted value"`, as written by logrus's text formatter, Go's
 * `slog.TextHandler`, go-kit, Heroku) that starts with a time or level pair and has a `msg` or `message`
 * pair: `time="2024-12-04T10:00:00Z" level=error msg="payment declined" order=42`. Undefined for any
 * other line. The message is what the line says (the `msg` value, unquoted) followed by its other pairs,
 * so a long quoted message is mined word by word instead of being one quoted value, and the line's time
 * gives rates and anomalies.
 */
export function parseLogfmtLine(line: string): LogfmtLine | undefined {
  // cheap first: the first key starts with t (time, ts, timestamp), l (level, lvl) or s (severity)
  const c = line.charCodeAt(0);
  if (c !== 116 && c !== 108 && c !== 115) return undefined;
  const firstEq = line.indexOf('=');
  if (firstEq < 1 || firstEq > 9 || !FIRST_KEYS.has(line.slice(0, firstEq))) return undefined;
  let ts: number | undefined;
  let message: string | undefined;
  let rest = '';
  let p = 0;
  const n = line.length;
  while (p < n) {
    while (p < n && line.charCodeAt(p) === 32) p++;
    if (p >= n) break;
    const pairStart = p;
    const eq = line.indexOf('=', p);
    const space = line.indexOf(' ', p);
    // a bare word (no `=` before the next space) ends the pairs: the line is not logfmt throughout
    if (eq === -1 || (space !== -1 && space < eq)) return undefined;
    const key = line.slice(p, eq);
    let value: string;
    p = eq + 1;
    if (line.charCodeAt(p) === 34) {
      let q = p + 1;
      let raw = '';
      let last = q;
      while (q < n && line.charCodeAt(q) !== 34) {
        if (line.charCodeAt(q) === 92 && q + 1 < n) {
          raw += line.slice(last, q);
          last = q + 1;
          q += 2;
        } else q++;
      }
      if (q >= n) return undefined;
      value = raw + line.slice(last, q);
      p = q + 1;
    } else {
      const end = line.indexOf(' ', p);
      value = line.slice(p, end === -1 ? n : end);
      p = end === -1 ? n : end;
    }
    if (TIME_KEYS.has(key) && ts === undefined) {
      const parsed = parseTimestamp(value);
      ts = Number.isNaN(parsed) ? undefined : parsed;
    } else if ((key === 'msg' || key === 'message') && message === undefined) message = value;
    else if (!LEVEL_KEYS.has(key)) rest += ` ${line.slice(pairStart, p)}`;
  }
  if (message === undefined) return undefined;
  return { ts, message: message + rest };
}
