import type { AppSpec } from './app-spec.js';
import { type ConfigIssue, configIssuesError } from './config-error.js';
import { quoteValue } from './config-position.js';
import { cronExpressionProblem } from './cron-problem.js';

/** Why the scheduler's parser refuses a cron expression (or why it never fires), in one short line; null when it reads it. */
export type CronCheck = (expression: string) => string | null;

/** The cron keys of an app: the `AppSpec` field and the config key. */
export const CRON_KEYS = [
  ['cronRestart', 'cron_restart'],
  ['schedule', 'schedule'],
  ['logRotateCron', 'log_rotate_cron'],
] as const;

/** Characters of croner's reason kept in a config error. */
const MAX_REASON_CHARS = 160;

let cronCheck: Promise<CronCheck> | null = null;

/**
 * The scheduler's own parser (croner, loaded on the first call) as a synchronous check, so that a
 * validation can list a bad cron expression, or one that never fires, with the other problems of a file.
 */
export function loadCronCheck(): Promise<CronCheck> {
  cronCheck ??= import('croner').then(({ Cron }) => (expression: string) => {
    const text = cronExpressionProblem(Cron, expression);
    // croner's message quotes the whole expression: cut, so that a long one keeps the error one short line
    return text !== null && text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
  });
  return cronCheck;
}

/** Why croner refuses a cron expression (or why it never fires), in one short line; null when it reads it. */
export async function cronProblem(expression: string): Promise<string | null> {
  return (await loadCronCheck())(expression);
}

/** A place of a cron expression: the app's index and name (when known), the key as written, the value. */
export interface CronPlace {
  index: number;
  name: string | undefined;
  key: string;
  expression: string;
}

/**
 * The issue of each cron expression `check` refuses, worded as a config error:
 * `app.toml: apps[1] (web).cron_restart: expected a cron expression like "0 3 * * *", got "61 * * * *" (…)`.
 */
export function cronIssues(
  places: readonly CronPlace[],
  check: CronCheck,
  label: string,
  listKey = 'apps',
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const { index, name, key, expression } of places) {
    const reason = check(expression);
    if (reason === null) continue;
    const who = name === undefined ? '' : ` (${name})`;
    issues.push({
      message: `${label}: ${listKey}[${index}]${who}.${key}: expected a cron expression like "0 3 * * *", got ${quoteValue(expression)} (${reason})`,
      keyPath: [listKey, index, key],
    });
  }
  return issues;
}

/** The cron expressions of config file app entries (strings at the cron keys; other values are the schema's). */
export function entryCronPlaces(entries: readonly unknown[]): CronPlace[] {
  return entries.flatMap((entry, index) => {
    if (entry === null || typeof entry !== 'object') return [];
    const app = entry as Record<string, unknown>;
    const name = typeof app.name === 'string' && app.name.length <= 100 ? app.name : undefined;
    return CRON_KEYS.flatMap(([, key]) => {
      const expression = app[key];
      return typeof expression === 'string' && expression !== '' ? [{ index, name, key, expression }] : [];
    });
  });
}

/**
 * Checks every cron expression of `specs` (`cron_restart`, `schedule`, `log_rotate_cron`) with the
 * scheduler's own parser, so that bad ones are refused together (`data.issues`), naming the file,
 * the app and the key, before anything starts.
 */
export async function checkConfigCrons(specs: AppSpec[], label: string, listKey = 'apps'): Promise<void> {
  const places = specs.flatMap((spec, index) =>
    CRON_KEYS.flatMap(([field, key]) => {
      const expression = spec[field];
      return expression === undefined ? [] : [{ index, name: spec.name, key, expression }];
    }),
  );
  if (places.length === 0) return;
  const issues = cronIssues(places, await loadCronCheck(), label, listKey);
  if (issues.length > 0) throw configIssuesError(issues);
}
