/** Fields of a timestamp found in text; `offsetMinutes` is undefined when the text names no zone. */
export interface TimestampParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offsetMinutes: number | undefined;
  hasDate: boolean;
  hasYear: boolean;
}

/** A timestamp found at the start of a line: its epoch ms and where the rest of the line begins. */
export interface LeadingTimestamp {
  ts: number;
  end: number;
}

const MONTHS = new Map<number, number>(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [
    code3(m, 0),
    i,
  ]),
);
const WEEKDAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => code3(d, 0)));
const scratch = newParts();

/**
 * Scans a timestamp at `p` (ISO 8601 and its space/slash variants, `20171223-22:15:29:606`, common log
 * format `10/Oct/2000:13:55:36 -0700`, `29-Jul-2015 17:41:44`, `06/10/2013 17:26` and .NET's
 * `3/14/2026 9:00:10 PM` (month first; day first when the first number is over 12), syslog
 * `Dec 10 06:55:46`, java.util.logging's `Mar 14, 2026 9:00:10 PM`, or a bare time `17:41:44,747`; a
 * 12-hour clock's ` AM`/` PM` read); returns the end index or -1.
 */
export function scanTimestamp(s: string, p: number, end: number, out: TimestampParts = scratch): number {
  reset(out);
  const c = s.charCodeAt(p);
  if (isDigit(c)) return scanNumericTimestamp(s, p, end, out);
  if (isLetter(c)) return scanNamedTimestamp(s, p, end, out);
  return -1;
}

/**
 * Parses a timestamp at the start of `line` (after an optional `[`), for lines that carry their own time;
 * a zone-less time is local, a syslog date without year takes `referenceYear` (default: this year).
 */
export function parseLeadingTimestamp(line: string, referenceYear?: number): LeadingTimestamp | undefined {
  let p = 0;
  while (p < line.length && line.charCodeAt(p) === 32) p++;
  if (line.charCodeAt(p) === 91) p++;
  const end = scanTimestamp(line, p, line.length, scratch);
  if (end < 0 || !scratch.hasDate) return undefined;
  const ts = partsToEpoch(scratch, referenceYear);
  if (Number.isNaN(ts)) return undefined;
  let rest = end;
  if (line.charCodeAt(rest) === 93) rest++;
  while (rest < line.length && line.charCodeAt(rest) === 32) rest++;
  // A separator between the time and the message (`- `, `|`, `: `, Windows CBS's `, `) belongs to neither.
  const c = line.charCodeAt(rest);
  if (
    (c === 45 || c === 124 || c === 58 || c === 44) &&
    (rest + 1 >= line.length || line.charCodeAt(rest + 1) === 32 || c === 124)
  ) {
    rest++;
    while (rest < line.length && line.charCodeAt(rest) === 32) rest++;
  }
  return { ts, end: rest };
}

/** How far into a line a bracketed time is looked for (a CLF line's `[` comes after host, ident and user). */
const BRACKETED_WITHIN = 256;

/**
 * Epoch ms of a time in brackets, after a space, within the first 256 characters of `line`: the
 * `[10/Oct/2000:13:55:36 -0700]` of Apache/nginx access logs (Common and Combined Log Format), or any
 * other date with a time of day in brackets (`[2026-12-03 10:00:00]`). The brackets must hold the
 * timestamp and nothing else, so `[1/2]`, `[12:30]`, `[2023-10-12]`, `[200]` or `items[0]` are no time. For lines whose time is
 * not at their start (`parseLeadingTimestamp` first): the text of the line is left as it is.
 */
export function parseBracketedTimestamp(line: string, referenceYear?: number): number | undefined {
  for (
    let open = line.indexOf('[');
    open !== -1 && open < BRACKETED_WITHIN;
    open = line.indexOf('[', open + 1)
  ) {
    if (open === 0 || line.charCodeAt(open - 1) !== 32 || !isDigit(line.charCodeAt(open + 1))) continue;
    const end = scanTimestamp(line, open + 1, line.length, scratch);
    // a date with a time of day, then the closing bracket: a date alone (`[2023-10-12]`) may be anything
    if (end < 0 || line.charCodeAt(end) !== 93 || !scratch.hasDate || line.lastIndexOf(':', end) <= open)
      continue;
    const ts = partsToEpoch(scratch, referenceYear);
    if (!Number.isNaN(ts)) return ts;
  }
  return undefined;
}

/** Parses a whole string as a timestamp (ISO 8601 and the formats of `scanTimestamp`); NaN when it is not one. */
export function parseTimestamp(text: string, referenceYear?: number): number {
  const trimmed = text.trim();
  const end = scanTimestamp(trimmed, 0, trimmed.length, scratch);
  if (end !== trimmed.length || !scratch.hasDate) return Number.NaN;
  return partsToEpoch(scratch, referenceYear);
}

function partsToEpoch(t: TimestampParts, referenceYear: number | undefined): number {
  let year = t.year;
  if (!t.hasYear) {
    const now = new Date();
    year = referenceYear ?? now.getFullYear();
    // A syslog date without a year that would lie in the future belongs to last year.
    if (
      referenceYear === undefined &&
      new Date(year, t.month, t.day).getTime() > now.getTime() + 86_400_000
    ) {
      year -= 1;
    }
  }
  if (t.offsetMinutes === undefined) {
    return new Date(year, t.month, t.day, t.hour, t.minute, t.second, t.millis).getTime();
  }
  return Date.UTC(year, t.month, t.day, t.hour, t.minute, t.second, t.millis) - t.offsetMinutes * 60_000;
}

function scanNumericTimestamp(s: string, p: number, end: number, t: TimestampParts): number {
  const run = digitRun(s, p, end);
  const sep = s.charCodeAt(p + run);
  if (run === 4 && (sep === 45 || sep === 47)) {
    // 2015-07-29 or 2015/07/29, then an optional time after T, space or underscore.
    const month = fixed(s, p + 5, end, 2);
    const day = fixed(s, p + 8, end, 2);
    if (month < 1 || month > 12 || s.charCodeAt(p + 7) !== sep || day < 1 || day > 31) return -1;
    setDate(t, fixed(s, p, end, 4), month - 1, day);
    return afterDate(s, p + 10, end, t);
  }
  if (run === 8 && (sep === 45 || sep === 84) && isDigit(s.charCodeAt(p + 9))) {
    // 20171223-22:15:29:606 or 20171223T221529
    const month = fixed(s, p + 4, end, 2);
    const day = fixed(s, p + 6, end, 2);
    if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
    setDate(t, fixed(s, p, end, 4), month - 1, day);
    const q = scanTime(s, p + 9, end, t, true);
    return q < 0 ? -1 : boundary(s, q, end);
  }
  if ((run === 1 || run === 2) && (sep === 47 || sep === 45) && isLetter(s.charCodeAt(p + run + 1))) {
    // 10/Oct/2000:13:55:36 -0700 or 29-Jul-2015 17:41:44
    const month = MONTHS.get(code3(s, p + run + 1));
    if (month === undefined || s.charCodeAt(p + run + 4) !== sep) return -1;
    const year = fixed(s, p + run + 5, end, 4);
    if (year < 0) return -1;
    setDate(t, year, month, fixed(s, p, end, run));
    const q = p + run + 9;
    const next = s.charCodeAt(q);
    if ((next === 58 || next === 32) && isDigit(s.charCodeAt(q + 1))) {
      const r = scanTime(s, q + 1, end, t, false);
      if (r >= 0) return boundary(s, r, end);
    }
    return boundary(s, q, end);
  }
  if ((run === 1 || run === 2) && sep === 47) {
    // 06/10/2013 or .NET's en-US 3/14/2026 (month first), 14/03/2026 (day first: the first number is no
    // month), then an optional time after a space (`3/14/2026 9:00:10 PM`).
    const second = p + run + 1;
    const run2 = digitRun(s, second, end);
    if (run2 < 1 || run2 > 2 || s.charCodeAt(second + run2) !== 47) return -1;
    const yearAt = second + run2 + 1;
    const year = digitRun(s, yearAt, end) === 4 ? fixed(s, yearAt, end, 4) : -1;
    const first = fixed(s, p, end, run);
    const other = fixed(s, second, end, run2);
    const [month, day] = first > 12 ? [other, first] : [first, other];
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return -1;
    setDate(t, year, month - 1, day);
    return afterDate(s, yearAt + 4, end, t);
  }
  if ((run === 1 || run === 2) && sep === 58) {
    const q = scanTime(s, p, end, t, false);
    return q < 0 ? -1 : boundary(s, q, end);
  }
  return -1;
}

function scanNamedTimestamp(s: string, p: number, end: number, t: TimestampParts): number {
  let q = p;
  if (end - q >= 4 && s.charCodeAt(q + 3) === 32 && WEEKDAYS.has(code3(s, q))) q += 4;
  const month = MONTHS.get(code3(s, q));
  if (month === undefined || s.charCodeAt(q + 3) !== 32) return -1;
  q += 4;
  if (s.charCodeAt(q) === 32) q++;
  const run = digitRun(s, q, end);
  // `Dec 10 06:55:46`, or java.util.logging's `Mar 14, 2026 9:00:10 PM`
  const hasComma = s.charCodeAt(q + run) === 44;
  if (run < 1 || run > 2 || s.charCodeAt(q + run + (hasComma ? 1 : 0)) !== 32) return -1;
  const day = fixed(s, q, end, run);
  if (day < 1 || day > 31) return -1;
  t.hasDate = true;
  t.month = month;
  t.day = day;
  q += run + 1;
  if (hasComma) {
    if (digitRun(s, q + 1, end) !== 4 || s.charCodeAt(q + 5) !== 32) return -1;
    t.year = fixed(s, q + 1, end, 4);
    t.hasYear = true;
    q += 6;
  }
  q = scanTime(s, q, end, t, false);
  if (q < 0) return -1;
  if (s.charCodeAt(q) === 32 && digitRun(s, q + 1, end) === 4 && boundary(s, q + 5, end) > 0) {
    t.year = fixed(s, q + 1, end, 4);
    t.hasYear = true;
    q += 5;
  }
  return boundary(s, q, end);
}

function afterDate(s: string, q: number, end: number, t: TimestampParts): number {
  const c = s.charCodeAt(q);
  // the hour may have one digit (`3/14/2026 9:00:10 PM`)
  const hourEnd = s.charCodeAt(q + 2);
  if (
    (c === 84 || c === 32 || c === 95) &&
    isDigit(s.charCodeAt(q + 1)) &&
    (isDigit(hourEnd) || hourEnd === 58)
  ) {
    const r = scanTime(s, q + 1, end, t, false);
    if (r >= 0) return boundary(s, r, end);
    if (c === 84) return -1;
  }
  return boundary(s, q, end);
}

/** Scans `H:MM[:SS[.fff]]` plus an optional zone; compact `HHMMSS` when `allowCompact`. */
function scanTime(s: string, p: number, end: number, t: TimestampParts, allowCompact: boolean): number {
  let q = p;
  const run = digitRun(s, q, end);
  if (allowCompact && run === 6) {
    t.hour = fixed(s, q, end, 2);
    t.minute = fixed(s, q + 2, end, 2);
    t.second = fixed(s, q + 4, end, 2);
    q += 6;
  } else {
    if (run < 1 || run > 2 || s.charCodeAt(q + run) !== 58) return -1;
    t.hour = fixed(s, q, end, run);
    q += run + 1;
    if (digitRun(s, q, end) !== 2) return -1;
    t.minute = fixed(s, q, end, 2);
    q += 2;
    if (s.charCodeAt(q) === 58 && digitRun(s, q + 1, end) === 2) {
      t.second = fixed(s, q + 1, end, 2);
      q += 3;
      const f = s.charCodeAt(q);
      const frac = digitRun(s, q + 1, end);
      if ((f === 46 || f === 44 || f === 58) && frac >= 1 && frac <= 9) {
        t.millis = Math.floor(fixed(s, q + 1, end, Math.min(frac, 3)) * 10 ** (3 - Math.min(frac, 3)));
        q += frac + 1;
      }
    } else if (run !== 2) {
      return -1;
    }
  }
  if (t.hour > 24 || t.minute > 59 || t.second > 60) return -1;
  // a 12-hour clock (`9:05:00 PM`, `12:30:00 AM`: half past midnight)
  const meridiem = meridiemAt(s, q, end);
  if (meridiem !== undefined && t.hour >= 1 && t.hour <= 12) {
    t.hour = (t.hour % 12) + meridiem;
    q += 3;
  }
  return scanZone(s, q, end, t);
}

/** Characters that may follow a 12-hour clock's AM or PM: white space, `]`, `)`, `,`, `|`. */
const AFTER_MERIDIEM = new Set([32, 9, 93, 41, 44, 124]);

/** The hours a ` AM`/` PM` (any case) at `q` adds to a 12-hour clock's (0 or 12), or undefined. */
function meridiemAt(s: string, q: number, end: number): number | undefined {
  if (q + 3 > end || s.charCodeAt(q) !== 32 || (s.charCodeAt(q + 2) | 32) !== 109) return undefined;
  const c = s.charCodeAt(q + 1) | 32;
  if (c !== 97 && c !== 112) return undefined;
  // then the end, white space or a closing mark: a host `pm-worker-1` after a syslog time is no PM
  if (q + 3 < end && !AFTER_MERIDIEM.has(s.charCodeAt(q + 3))) return undefined;
  return c === 112 ? 12 : 0;
}

function scanZone(s: string, q: number, end: number, t: TimestampParts): number {
  const c = s.charCodeAt(q);
  if (c === 90) {
    t.offsetMinutes = 0;
    return q + 1;
  }
  const spaced = c === 32 ? 1 : 0;
  const sign = s.charCodeAt(q + spaced);
  if (sign === 43 || sign === 45) {
    const r = q + spaced + 1;
    const hours = fixed(s, r, end, 2);
    if (hours >= 0 && hours <= 14) {
      if (s.charCodeAt(r + 2) === 58 && digitRun(s, r + 3, end) === 2) {
        t.offsetMinutes = (sign === 45 ? -1 : 1) * (hours * 60 + fixed(s, r + 3, end, 2));
        return r + 5;
      }
      const run = digitRun(s, r, end);
      if (run === 4) {
        t.offsetMinutes = (sign === 45 ? -1 : 1) * (hours * 60 + fixed(s, r + 2, end, 2));
        return r + 4;
      }
      if (run === 2 && !spaced) {
        t.offsetMinutes = (sign === 45 ? -1 : 1) * hours * 60;
        return r + 2;
      }
    }
  }
  if (spaced && (s.startsWith('UTC', q + 1) || s.startsWith('GMT', q + 1)) && boundary(s, q + 4, end) > 0) {
    t.offsetMinutes = 0;
    return q + 4;
  }
  return q;
}

function setDate(t: TimestampParts, year: number, month: number, day: number): void {
  t.year = year;
  t.month = month;
  t.day = day;
  t.hasDate = true;
  t.hasYear = true;
}

/** Returns `q` when a timestamp may end there (end of text or a non-alphanumeric character), else -1. */
function boundary(s: string, q: number, end: number): number {
  if (q >= end) return end;
  const c = s.charCodeAt(q);
  return isDigit(c) || isLetter(c) || c === 95 ? -1 : q;
}

function digitRun(s: string, p: number, end: number): number {
  let q = p;
  while (q < end && isDigit(s.charCodeAt(q))) q++;
  return q - p;
}

/** The value of exactly `n` digits at `p`, or -1. */
function fixed(s: string, p: number, end: number, n: number): number {
  if (p + n > end) return -1;
  let value = 0;
  for (let i = p; i < p + n; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    value = value * 10 + c - 48;
  }
  return value;
}

/** Three characters at `p`, lower-cased, packed in one number (for month and weekday names). */
function code3(s: string, p: number): number {
  return ((s.charCodeAt(p) | 32) << 16) | ((s.charCodeAt(p + 1) | 32) << 8) | (s.charCodeAt(p + 2) | 32);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function newParts(): TimestampParts {
  return {
    year: 1970,
    month: 0,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    millis: 0,
    offsetMinutes: undefined,
    hasDate: false,
    hasYear: false,
  };
}

function reset(t: TimestampParts): void {
  t.year = 1970;
  t.month = 0;
  t.day = 1;
  t.hour = 0;
  t.minute = 0;
  t.second = 0;
  t.millis = 0;
  t.offsetMinutes = undefined;
  t.hasDate = false;
  t.hasYear = false;
}
