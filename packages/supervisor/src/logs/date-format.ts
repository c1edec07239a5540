import { type DateFormatToken, isoTime } from '@velos/core';

/** Formats the timestamp prefix of plain log lines and reads it back. */
export interface DateFormat {
  /** The prefix text for epoch ms `ts` (without the separating space). */
  format(ts: number): string;
  /** Splits a prefixed line into its time (null when the format holds no full date) and the rest; null when the line has no prefix. */
  parse(line: string): { ts: number | null; rest: string } | null;
  /** The span one printed time stands for: 1 with milliseconds, 1000 with seconds, 60,000 with minutes… */
  resolutionMs: number;
}

/** The fields a prefix is read back into (`pm`: 1 for PM, 0 for AM; `offset`: minutes east of UTC). */
type Field = 'year' | 'month' | 'day' | 'hours' | 'hours12' | 'minutes' | 'seconds' | 'ms' | 'pm' | 'offset';

/** One moment.js token: how it prints, the pattern that reads it back, and the field it sets (by `value`, else `Number`). */
interface TokenRule {
  format(date: Date): string;
  pattern: string;
  field?: Field;
  value?(text: string): number;
}

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);
const DAYS = 'Sunday Monday Tuesday Wednesday Thursday Friday Saturday'.split(' ');
const TWO = '\\d{2}';
const ONE_OR_TWO = '\\d{1,2}';

// every token of the one list (a PM2 file's warning names those it does not have)
const TOKENS: Record<DateFormatToken, TokenRule> = {
  YYYY: { format: (d) => String(d.getFullYear()).padStart(4, '0'), pattern: '\\d{4}', field: 'year' },
  YY: {
    format: (d) => pad2(d.getFullYear() % 100),
    pattern: TWO,
    field: 'year',
    value: (t) => 2000 + Number(t),
  },
  MMMM: { format: (d) => MONTHS[d.getMonth()]!, pattern: '[A-Za-z]+', field: 'month', value: monthOf },
  MMM: {
    format: (d) => MONTHS[d.getMonth()]!.slice(0, 3),
    pattern: '[A-Za-z]{3}',
    field: 'month',
    value: monthOf,
  },
  MM: { format: (d) => pad2(d.getMonth() + 1), pattern: TWO, field: 'month' },
  M: { format: (d) => String(d.getMonth() + 1), pattern: ONE_OR_TWO, field: 'month' },
  DD: { format: (d) => pad2(d.getDate()), pattern: TWO, field: 'day' },
  D: { format: (d) => String(d.getDate()), pattern: ONE_OR_TWO, field: 'day' },
  dddd: { format: (d) => DAYS[d.getDay()]!, pattern: '[A-Za-z]+' },
  ddd: { format: (d) => DAYS[d.getDay()]!.slice(0, 3), pattern: '[A-Za-z]{3}' },
  dd: { format: (d) => DAYS[d.getDay()]!.slice(0, 2), pattern: '[A-Za-z]{2}' },
  d: { format: (d) => String(d.getDay()), pattern: '[0-6]' },
  HH: { format: (d) => pad2(d.getHours()), pattern: TWO, field: 'hours' },
  H: { format: (d) => String(d.getHours()), pattern: ONE_OR_TWO, field: 'hours' },
  hh: { format: (d) => pad2(hours12(d)), pattern: TWO, field: 'hours12' },
  h: { format: (d) => String(hours12(d)), pattern: ONE_OR_TWO, field: 'hours12' },
  mm: { format: (d) => pad2(d.getMinutes()), pattern: TWO, field: 'minutes' },
  m: { format: (d) => String(d.getMinutes()), pattern: ONE_OR_TWO, field: 'minutes' },
  ss: { format: (d) => pad2(d.getSeconds()), pattern: TWO, field: 'seconds' },
  s: { format: (d) => String(d.getSeconds()), pattern: ONE_OR_TWO, field: 'seconds' },
  SSS: { format: (d) => String(d.getMilliseconds()).padStart(3, '0'), pattern: '\\d{3}', field: 'ms' },
  A: { format: (d) => (d.getHours() < 12 ? 'AM' : 'PM'), pattern: '[AP]M', field: 'pm', value: isPm },
  a: { format: (d) => (d.getHours() < 12 ? 'am' : 'pm'), pattern: '[ap]m', field: 'pm', value: isPm },
  ZZ: { format: (d) => offsetText(d, ''), pattern: '[+-]\\d{4}', field: 'offset', value: offsetOf },
  Z: { format: (d) => offsetText(d, ':'), pattern: '[+-]\\d{2}:\\d{2}', field: 'offset', value: offsetOf },
};
// longest first, so that `YYYY` is not read as `YY` twice
const TOKEN_NAMES = (Object.keys(TOKENS) as DateFormatToken[]).sort((a, b) => b.length - a.length);
const ISO_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z) /;

/**
 * Compiles a log date format: `iso` (UTC ISO 8601 with ms) or a moment.js pattern in local time
 * (PM2's `log_date_format`): `YYYY YY MMMM MMM MM M DD D dddd ddd dd d HH H hh h mm m ss s SSS A a` and
 * `Z`/`ZZ` for the UTC offset (`+02:00`/`+0200`); `[text]` is literal, and so is any other character.
 */
export function createDateFormat(pattern: string): DateFormat {
  if (pattern.toLowerCase() === 'iso') return isoFormat;
  const parts = tokenize(pattern);
  const tokens = parts
    .filter((part): part is { token: DateFormatToken } => typeof part !== 'string')
    .map((p) => p.token);
  const source = parts
    .map((part) => (typeof part === 'string' ? escapeRegExp(part) : `(${TOKENS[part.token]!.pattern})`))
    .join('');
  const prefix = new RegExp(`^${source} `);
  const hasDate =
    tokens.some((t) => t === 'YYYY' || t === 'YY') &&
    tokens.some((t) => t.startsWith('M')) &&
    tokens.some((t) => t === 'DD' || t === 'D');
  return {
    resolutionMs: resolutionOf(tokens),
    format(ts) {
      const date = new Date(ts);
      return parts
        .map((part) => (typeof part === 'string' ? part : TOKENS[part.token]!.format(date)))
        .join('');
    },
    parse(line) {
      const match = prefix.exec(line);
      if (!match) return null;
      const rest = line.slice(match[0].length);
      if (!hasDate) return { ts: null, rest };
      const fields = new Map<Field, number>();
      tokens.forEach((token, i) => {
        const rule = TOKENS[token]!;
        if (rule.field) fields.set(rule.field, (rule.value ?? Number)(match[i + 1]!));
      });
      const get = (field: Field, fallback = 0): number => fields.get(field) ?? fallback;
      const pm = fields.get('pm');
      const hours = fields.has('hours12') ? (get('hours12') % 12) + (pm === 1 ? 12 : 0) : get('hours');
      const date = [
        get('year'),
        get('month', 1) - 1,
        get('day', 1),
        hours,
        get('minutes'),
        get('seconds'),
        get('ms'),
      ] as const;
      const offset = fields.get('offset');
      const ts = offset === undefined ? new Date(...date).getTime() : Date.UTC(...date) - offset * 60_000;
      return { ts, rest };
    },
  };
}

const isoFormat: DateFormat = {
  resolutionMs: 1,
  format: isoTime,
  parse(line) {
    const match = ISO_PREFIX.exec(line);
    if (!match) return null;
    const ts = Date.parse(match[1]!);
    return { ts: Number.isNaN(ts) ? null : ts, rest: line.slice(match[0].length) };
  },
};

/** The span of the finest time field among `tokens` (a day when the format holds no time of day). */
function resolutionOf(tokens: DateFormatToken[]): number {
  const fields = new Set(tokens.map((token) => TOKENS[token]!.field));
  if (fields.has('ms')) return 1;
  if (fields.has('seconds')) return 1000;
  if (fields.has('minutes')) return 60_000;
  if (fields.has('hours') || fields.has('hours12')) return 3_600_000;
  return 86_400_000;
}

function tokenize(pattern: string): (string | { token: DateFormatToken })[] {
  const parts: (string | { token: DateFormatToken })[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern[i] === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end !== -1) {
        literal += pattern.slice(i + 1, end);
        i = end + 1;
        continue;
      }
    }
    const token = TOKEN_NAMES.find((candidate) => pattern.startsWith(candidate, i));
    if (token === undefined) {
      literal += pattern[i];
      i += 1;
      continue;
    }
    if (literal) parts.push(literal);
    literal = '';
    parts.push({ token });
    i += token.length;
  }
  if (literal) parts.push(literal);
  return parts;
}

function hours12(date: Date): number {
  return date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
}

function offsetText(date: Date, separator: string): string {
  const offset = -date.getTimezoneOffset();
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${separator}${pad2(abs % 60)}`;
}

function isPm(text: string): number {
  return text.toLowerCase() === 'pm' ? 1 : 0;
}

function offsetOf(text: string): number {
  const digits = text.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

function monthOf(name: string): number {
  const index = MONTHS.findIndex(
    (month) => month.slice(0, 3).toLowerCase() === name.slice(0, 3).toLowerCase(),
  );
  return index + 1;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
