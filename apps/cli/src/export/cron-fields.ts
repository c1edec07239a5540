/** A cron expression translated for a target, or why it cannot be. */
export type CronTranslation = { ok: true; value: string } | { ok: false; reason: string };

/** The fields of a cron expression as the job scheduler (croner) reads it: seconds and year optional. */
export interface CronFields {
  second: string;
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  /** `*` unless the expression has 7 fields. */
  year: string;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Month names, January first (cron's month 1). */
export const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** Day names, Sunday first (cron's day 0, also 7). */
export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * The fields of a cron expression: 5 fields, 6 with seconds first, or 7 with a year last; macros
 * (`@daily`…) expanded; `?` (croner's alias of `*`) read as `*`. Null when the count is wrong.
 */
export function cronFields(expression: string): CronFields | null {
  const text = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const words = text.split(/\s+/).map((word) => (word === '?' ? '*' : word));
  const all = words.length === 5 ? ['0', ...words, '*'] : words.length === 6 ? [...words, '*'] : words;
  if (all.length !== 7) return null;
  const [second = '0', minute = '*', hour = '*', dayOfMonth = '*', month = '*', dayOfWeek = '*', year = '*'] =
    all;
  return { second, minute, hour, dayOfMonth, month, dayOfWeek: dayOfWeek === '+?' ? '+*' : dayOfWeek, year };
}

/**
 * The days (0 = Sunday … 6) a day-of-week field without `#`/`L` names: numbers 0-7 (7 is Sunday),
 * names, ranges (`5-7`, `SAT-SUN`), steps (`*\/2`, `1-5/2`), lists. Throws on anything else.
 */
export function weekdaySet(text: string): number[] {
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : positiveStep(stepText, part);
    let from = 0;
    let to = 6;
    if (range !== '*') {
      const [fromText = '', toText] = range.split('-');
      from = weekday(fromText);
      to = toText === undefined ? (stepText === undefined ? from : 7) : weekday(toText);
      if (toText !== undefined && to < from && to === 0) to = 7; // SAT-SUN: Sunday ends the week
      if (to < from) throw new Error(`"${part}" is a range backwards`);
    }
    for (let day = from; day <= to; day += step) days.add(day % 7);
  }
  return [...days].sort((a, b) => a - b);
}

/** A step after `/`: a whole number of at least 1. */
export function positiveStep(text: string, part: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`"${part}" has a bad step`);
  return Number(text);
}

function weekday(text: string): number {
  const index = DAYS.indexOf(text.toLowerCase());
  const day = index !== -1 ? index : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(day) || day < 0 || day > 7) throw new Error(`"${text}" is not a day of week`);
  return day;
}
