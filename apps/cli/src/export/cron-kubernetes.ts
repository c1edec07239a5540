import { type CronTranslation, cronFields, weekdaySet } from './cron-fields.js';

/**
 * A cron expression for a Kubernetes CronJob (5 standard fields): a seconds field is kept only when
 * it is `0`; croner's extensions (`L`, `W`, `#`, `+`, a year) are refused, and a day of week 7
 * (Sunday, which a CronJob does not take) is written 0.
 * @example cronToKubernetes('0 30 3 * * *') // → { ok: true, value: '30 3 * * *' }
 */
export function cronToKubernetes(expression: string): CronTranslation {
  const parsed = cronFields(expression);
  if (!parsed) return { ok: false, reason: `"${expression}" is not a cron expression of 5, 6 or 7 fields` };
  if (parsed.second !== '0' && parsed.second !== '00') {
    return { ok: false, reason: `"${expression}" runs on seconds; a CronJob runs at most once a minute` };
  }
  if (parsed.year !== '*') return { ok: false, reason: `"${expression}" has a year, which a CronJob lacks` };
  const { minute, hour, dayOfMonth, month, dayOfWeek } = parsed;
  if (/[LW#+]/i.test(`${dayOfMonth} ${dayOfWeek}`.replace(/[a-z]{3}/gi, ''))) {
    return { ok: false, reason: `"${expression}" uses L, W, # or +, which a CronJob lacks` };
  }
  try {
    const week = /\b7\b/.test(dayOfWeek) ? weekdaySet(dayOfWeek).join(',') : dayOfWeek;
    return { ok: true, value: [minute, hour, dayOfMonth, month, week].join(' ') };
  } catch (error) {
    return { ok: false, reason: `"${expression}": ${(error as Error).message}` };
  }
}
