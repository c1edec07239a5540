/** A cron expression translated for a target, or why it cannot be. */
export type CronTranslation = { ok: true; value: string } | { ok: false; reason: string };

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SYSTEMD_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The fields of a cron expression (5, or 6 with seconds first), macros expanded; null when malformed. */
export function cronFields(expression: string): { second: string; fields: string[] } | null {
  const text = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const words = text.split(/\s+/);
  if (words.length === 5) return { second: '0', fields: words };
  if (words.length === 6) return { second: words[0] ?? '0', fields: words.slice(1) };
  return null;
}

/**
 * A cron expression as a systemd `OnCalendar=` value (`Mon..Fri *-*-* 09:00:00`). Cron's OR of a
 * day of month and a day of week, and the `L`/`W`/`#`/`?` extensions, have no systemd form.
 * @example cronToOnCalendar('*\/15 9-17 * * 1-5') // → { ok: true, value: 'Mon..Fri *-*-* 09..17:00/15:00' }
 */
export function cronToOnCalendar(expression: string): CronTranslation {
  const parsed = cronFields(expression);
  if (!parsed) return { ok: false, reason: `"${expression}" is not a cron expression of 5 or 6 fields` };
  const [minute = '*', hour = '*', dom = '*', month = '*', dow = '*'] = parsed.fields;
  if (/[LW#?]/i.test(withoutNames(parsed.fields.join(' ')))) {
    return { ok: false, reason: `"${expression}" uses L, W, # or ?, which systemd calendars lack` };
  }
  if (dom !== '*' && dow !== '*') {
    return {
      ok: false,
      reason: `"${expression}" restricts both the day of month and the day of week (cron runs on either, systemd needs both)`,
    };
  }
  try {
    const weekdays = dow === '*' ? '' : `${dow.split(',').map(weekdayPart).join(',')} `;
    const date = `*-${field(month, MONTHS, 1)}-${field(dom, [], 1)}`;
    const time = [hour, minute, parsed.second].map((part) => field(part, [], 0, 2)).join(':');
    return { ok: true, value: `${weekdays}${date} ${time}` };
  } catch (error) {
    return { ok: false, reason: `"${expression}": ${(error as Error).message}` };
  }
}

/**
 * A cron expression for a Kubernetes CronJob (5 fields): a seconds field is kept only when it is `0`.
 */
export function cronToKubernetes(expression: string): CronTranslation {
  const parsed = cronFields(expression);
  if (!parsed) return { ok: false, reason: `"${expression}" is not a cron expression of 5 or 6 fields` };
  if (parsed.second !== '0' && parsed.second !== '00') {
    return { ok: false, reason: `"${expression}" runs on seconds; a CronJob runs at most once a minute` };
  }
  return { ok: true, value: parsed.fields.join(' ') };
}

/** One cron field (`*`, `5`, `1-5`, `*\/10`, `0-30/5`, lists, names) in systemd's syntax. */
function field(text: string, names: string[], firstName: number, width = 1): string {
  return text
    .split(',')
    .map((part) => {
      const [range = '*', step] = part.split('/');
      if (step !== undefined && !/^\d+$/.test(step)) throw new Error(`bad step "${part}"`);
      if (range === '*') return step === undefined ? '*' : `${pad('0', width)}/${step}`;
      const [from = '', to] = range.split('-');
      const start = pad(value(from, names, firstName), width);
      if (to !== undefined) {
        if (step !== undefined) throw new Error(`a stepped range "${part}" has no systemd form`);
        return `${start}..${pad(value(to, names, firstName), width)}`;
      }
      return step === undefined ? start : `${start}/${step}`;
    })
    .join(',');
}

function value(text: string, names: string[], firstName: number): string {
  const index = names.indexOf(text.toLowerCase());
  if (index !== -1) return String(index + firstName);
  if (!/^\d+$/.test(text)) throw new Error(`"${text}" is not a number`);
  return String(Number(text));
}

function pad(text: string, width: number): string {
  return text.padStart(width, '0');
}

function weekdayPart(part: string): string {
  if (part.includes('/')) throw new Error(`a stepped day of week "${part}" has no systemd form`);
  const [from = '', to] = part.split('-');
  const day = (text: string): string => {
    const index = DAYS.indexOf(text.toLowerCase());
    const n = index !== -1 ? index : Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 7) throw new Error(`"${text}" is not a day of week`);
    return SYSTEMD_DAYS[n % 7] ?? 'Sun';
  };
  return to === undefined ? day(from) : `${day(from)}..${day(to)}`;
}

// month and day names hold an l or a w (jul, wed) that is not cron's L or W
function withoutNames(text: string): string {
  return text.replace(new RegExp(`\\b(${[...MONTHS, ...DAYS].join('|')})\\b`, 'gi'), '');
}
