import { parseDurationMs } from './units.js';

/** The start of an ISO date: `2026-01-02`, `2026-01-02T03:04:05Z`, `2026-01-02 03:04`. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?![\d])/;
const BARE_NUMBER = /^\d+(\.\d+)?$/;

/**
 * A time bound (`--since`, `--until`, a tool's `since`) as epoch ms: a duration ago (`90s`, `10m`,
 * `2h`, `1d`) or an ISO date and time. A bare number is `'no-unit'` (seconds, minutes, a year? `Date`
 * would read `10` as October 2001); anything else is null.
 * @example parseTimeBound('10m', now) // now - 600000; parseTimeBound('10', now) // 'no-unit'
 */
export function parseTimeBound(text: string, now: number): number | 'no-unit' | null {
  const word = text.trim();
  if (BARE_NUMBER.test(word)) return 'no-unit';
  const ago = parseDurationMs(word);
  if (ago !== null) return Math.max(0, now - ago);
  const date = ISO_DATE.exec(word);
  // Date.parse rolls a day the month lacks into the next one (2026-02-30 is March 2)
  if (date === null || !isCalendarDay(Number(date[1]), Number(date[2]), Number(date[3]))) return null;
  const at = Date.parse(word);
  return Number.isNaN(at) ? null : at;
}

/** The one-line message for a time bound `parseTimeBound` refused, after the option or field name. */
export function timeBoundProblem(name: string, text: string): string {
  return BARE_NUMBER.test(text.trim())
    ? `${name}: add a unit to ${JSON.stringify(text.trim())}: s, m, h or d (e.g. 10m)`
    : `${name}: expected a duration ago like 10m, 2h, 1d or a time like 2026-12-01T10:00:00Z, got ${JSON.stringify(text)}`;
}

/** True when the month has that day (`Date.UTC` would carry Feb 30 into March). */
function isCalendarDay(year: number, month: number, day: number): boolean {
  const at = new Date(Date.UTC(year, month - 1, day));
  return at.getUTCMonth() === month - 1 && at.getUTCDate() === day;
}
