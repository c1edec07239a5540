import type { Level } from './levels.js';

/**
 * The header of a Redis server's log line: `1:M 07 Dec 2026 10:00:00.000 # ` (Redis 3 on: pid, role X, C, S
 * or M, day, month, year, time) or `[4018] 14 Nov 07:01:22.119 * ` (Redis 2: pid in brackets, no year),
 * then the level mark: `.` debug, `-` verbose, `*` notice, `#` warning. Sticky: tried at the start of a line.
 */
const REDIS_HEADER =
  /(?:\d+:[XCSM]|\[\d+\]) \d\d? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?: \d{4})? \d\d:\d\d:\d\d\.\d{3} ([.*#-]) /y;

/** The level of each Redis mark: Redis has no level above warning, its failures are warnings too. */
const MARK: Readonly<Record<string, Level>> = { '.': 'debug', '-': 'debug', '*': 'info', '#': 'warn' };

/** The level mark of a Redis header that starts `line`, and where the message after it starts; else undefined. */
export function redisMark(line: string): { level: Level; end: number } | undefined {
  // cheap first: a digit or `[`, and a `:` or `]` within the first 12 characters, then a space soon after
  const c = line.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 91)) return undefined;
  let p = 1;
  while (p < 12 && line.charCodeAt(p) >= 48 && line.charCodeAt(p) <= 57) p++;
  const after = line.charCodeAt(p);
  if (after !== 58 && after !== 93) return undefined;
  REDIS_HEADER.lastIndex = 0;
  const match = REDIS_HEADER.exec(line);
  return match === null ? undefined : { level: MARK[match[1]!]!, end: match[0].length };
}
