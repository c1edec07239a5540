import { type CronTranslation, cronFields, MONTHS, positiveStep, weekdaySet } from './cron-fields.js';

const SYSTEMD_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** The days of month of the nth weekday of a month (`MON#2` → the Monday among days 8-14); `L` the last. */
const NTH_WEEK: Record<string, string> = {
  '1': '-01..07',
  '2': '-08..14',
  '3': '-15..21',
  '4': '-22..28',
  '5': '-29..31',
  l: '~07/1',
};

/** How one numeric cron field reads: its range, and where `*\/N` starts (1 for days and months). */
interface FieldRange {
  min: number;
  max: number;
  width: number;
  names?: string[];
  /** Where `*\/N` starts; `min` unless told (croner counts years from 0: `*\/2` is the even years). */
  stepFrom?: (step: number) => number;
}

const SECOND: FieldRange = { min: 0, max: 59, width: 2 };
const MINUTE = SECOND;
const HOUR: FieldRange = { min: 0, max: 23, width: 2 };
const DAY: FieldRange = { min: 1, max: 31, width: 2 };
const MONTH: FieldRange = { min: 1, max: 12, width: 2, names: MONTHS };
const YEAR: FieldRange = {
  min: 1970,
  max: 9999,
  width: 4,
  stepFrom: (step) => Math.ceil(1970 / step) * step,
};

/**
 * A cron expression, as the job scheduler reads it, as a systemd `OnCalendar=` value
 * (`Mon..Fri *-*-* 09:00:00`). Cron's `*\/N` starts at the field's first value (minute 0, day 1,
 * month 1), as systemd's `A/N` does from A. Cron's OR of a day of month and a day of week, `W`, and a
 * `L` among other days have no systemd form; `+` (croner's AND of both) and `#` do.
 * @example cronToOnCalendar('*\/15 9-17 * * 1-5') // → { ok: true, value: 'Mon..Fri *-*-* 09..17:00/15:00' }
 * @example cronToOnCalendar('0 0 1 *\/2 *') // → { ok: true, value: '*-01/2-01 00:00:00' }
 */
export function cronToOnCalendar(expression: string): CronTranslation {
  const parsed = cronFields(expression);
  if (!parsed) return { ok: false, reason: `"${expression}" is not a cron expression of 5, 6 or 7 fields` };
  const isAnd = parsed.dayOfWeek.startsWith('+');
  const dayOfWeek = isAnd ? parsed.dayOfWeek.slice(1) : parsed.dayOfWeek;
  const { dayOfMonth } = parsed;
  if (/W/i.test(dayOfMonth)) {
    return {
      ok: false,
      reason: `"${expression}" uses W (the nearest weekday), which systemd calendars lack`,
    };
  }
  try {
    const week = weekdays(dayOfWeek);
    if (dayOfMonth !== '*' && week.days !== '' && (!isAnd || week.nth !== undefined)) {
      return {
        ok: false,
        reason: `"${expression}" restricts both the day of month and the day of week (cron runs on either, systemd needs both)`,
      };
    }
    const date = `${field(parsed.year, YEAR)}-${field(parsed.month, MONTH)}${days(week.nth ?? dayOfMonth)}`;
    const time = [field(parsed.hour, HOUR), field(parsed.minute, MINUTE), field(parsed.second, SECOND)].join(
      ':',
    );
    return { ok: true, value: `${week.days === '' ? '' : `${week.days} `}${date} ${time}` };
  } catch (error) {
    return { ok: false, reason: `"${expression}": ${(error as Error).message}` };
  }
}

/** The day-of-month part, with its leading `-` (or `~` for `L`, the last day). */
function days(text: string): string {
  if (text.startsWith('-') || text.startsWith('~')) return text; // from a weekday's #n
  if (text.toUpperCase() === 'L') return '~01';
  if (/L/i.test(text)) throw new Error(`"${text}": L among other days has no systemd form`);
  return `-${field(text, DAY)}`;
}

/**
 * The weekday prefix (`Mon..Fri`, empty for every day) and, for `#n` or `L` (the nth or last such
 * weekday of the month), the days of month that stand for it.
 */
function weekdays(text: string): { days: string; nth?: string } {
  if (text === '*') return { days: '' };
  const terms = text.split(',').map((term) => /^(.*?)(?:#(\d|L)|(L))?$/i.exec(term));
  const nths = new Set(terms.map((match) => (match?.[2] ?? match?.[3] ?? '').toLowerCase()));
  if (nths.size > 1)
    throw new Error(`"${text}" mixes weekdays of different weeks, which one calendar cannot`);
  const [nth = ''] = nths;
  const week = nth === '' ? undefined : NTH_WEEK[nth];
  if (nth !== '' && week === undefined) throw new Error(`"${text}" names a week a month does not have`);
  const set = weekdaySet(terms.map((match) => match?.[1] ?? '').join(','));
  return { days: runs(set).join(','), ...(week === undefined ? {} : { nth: week }) };
}

/** Days as systemd writes them, Monday first (its weeks end on Sunday): [0,1,2,3,5] → ['Mon..Wed', 'Fri', 'Sun']. */
function runs(set: number[]): string[] {
  const order = set.map((day) => (day + 6) % 7).sort((a, b) => a - b); // Monday 0 … Sunday 6
  const name = (index: number | undefined): string => SYSTEMD_DAYS[((index ?? 0) + 1) % 7] ?? 'Sun';
  const out: string[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] ?? 0) === (order[j] ?? 0) + 1) j += 1;
    if (j - i >= 2) out.push(`${name(order[i])}..${name(order[j])}`);
    else for (let k = i; k <= j; k += 1) out.push(name(order[k]));
    i = j + 1;
  }
  return out;
}

/** One numeric cron field (`*`, `5`, `1-5`, `*\/10`, `1-10/2`, lists, month names) in systemd's syntax. */
function field(text: string, range: FieldRange): string {
  return text
    .split(',')
    .map((part) => {
      const [span = '', stepText] = part.split('/');
      const step = stepText === undefined ? undefined : positiveStep(stepText, part);
      if (span === '*') {
        if (step === undefined) return '*';
        return `${pad(range.stepFrom?.(step) ?? range.min, range.width)}/${step}`;
      }
      const [fromText = '', toText] = span.split('-');
      const from = value(fromText, range);
      const to = toText === undefined ? undefined : value(toText, range);
      if (to !== undefined && to < from) throw new Error(`"${part}" is a range backwards`);
      const start = pad(from, range.width);
      const text = to === undefined ? start : `${start}..${pad(to, range.width)}`;
      return step === undefined ? text : `${text}/${step}`;
    })
    .join(',');
}

function value(text: string, range: FieldRange): number {
  const index = range.names?.indexOf(text.toLowerCase()) ?? -1;
  const n = index !== -1 ? index + range.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    throw new Error(`"${text}" is not a value from ${range.min} to ${range.max}`);
  }
  return n;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
