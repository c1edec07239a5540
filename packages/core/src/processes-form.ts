import * as z from 'zod/mini';
import { appConfigSchema, WATCHDOG_LIMITS_MS } from './app-schema.js';
import { quoteValue } from './quote-value.js';
import { parseDurationMs } from './units.js';

/** Defaults of the `processes:` form, in seconds as the form writes them (SUP-10, `seeds/003`). */
export const PROCESSES_FORM_DEFAULTS = { timeoutSeconds: 60, intervalSeconds: 5 } as const;

/**
 * Parses a watchdog duration of the `processes:` form and of `velos watchdog`: a bare number (or
 * numeric string) is SECONDS, unlike the apps form; `"90s"`, `"2m"`, `"500ms"` take their unit.
 * Null when invalid or not above zero.
 */
export function parseSecondsMs(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return null;
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Math.round(Number(text) * 1000) : parseDurationMs(text);
  return ms !== null && ms > 0 ? ms : null;
}

const SECONDS_EXPECTED = 'expected seconds like 60 or a duration like "90s" or "2m"';

const seconds = z.pipe(
  z.union([z.number(), z.string()], {
    error: (issue) => `${SECONDS_EXPECTED}, got ${quoteValue(issue.input)}`,
  }),
  z.transform((value, ctx) => {
    const ms = parseSecondsMs(value);
    if (ms !== null) return ms;
    ctx.issues.push({
      code: 'custom',
      message: `${SECONDS_EXPECTED}, got ${quoteValue(value)}`,
      input: value,
    });
    return z.NEVER;
  }),
);

/** One entry of the `processes:` form: a command kept alive and restarted when its log goes quiet. */
export const processEntrySchema = z
  .strictObject({
    name: appConfigSchema.shape.name,
    command: z.string().check(z.minLength(1, 'expected a command line')),
    log_file: z.optional(z.string().check(z.minLength(1))),
    timeout: z.optional(atLeast(seconds, WATCHDOG_LIMITS_MS.minTimeout)),
    interval: z.optional(atLeast(seconds, WATCHDOG_LIMITS_MS.minInterval)),
  })
  .check(
    z.refine(
      (entry) =>
        entry.interval === undefined ||
        entry.interval <= (entry.timeout ?? PROCESSES_FORM_DEFAULTS.timeoutSeconds * 1000),
      {
        message: 'expected an interval no longer than the timeout, or the watchdog checks too late',
        path: ['interval'],
      },
    ),
  );

function atLeast(schema: typeof seconds, minMs: number) {
  return schema.check(
    z.refine((ms) => ms >= minMs, `expected at least ${minMs >= 1000 ? `${minMs / 1000}s` : `${minMs}ms`}`),
  );
}

/** The `processes:` form of a config file (the log-inactivity watchdog seed). */
export const processesFileSchema = z.strictObject({
  processes: z.array(processEntrySchema).check(z.minLength(1, 'expected at least one process')),
});

/** Turns a validated `processes:` entry into an app as the apps form writes it (durations in ms). */
export function processEntryToApp(entry: z.output<typeof processEntrySchema>): Record<string, unknown> {
  const watchdog: Record<string, unknown> = {
    timeout: entry.timeout ?? PROCESSES_FORM_DEFAULTS.timeoutSeconds * 1000,
    interval:
      entry.interval ??
      Math.min(
        PROCESSES_FORM_DEFAULTS.intervalSeconds * 1000,
        entry.timeout ?? PROCESSES_FORM_DEFAULTS.timeoutSeconds * 1000,
      ),
  };
  if (entry.log_file !== undefined) watchdog.log_file = entry.log_file;
  return {
    ...(entry.name !== undefined ? { name: entry.name } : {}),
    script: entry.command,
    autorestart: true,
    watchdog,
  };
}
