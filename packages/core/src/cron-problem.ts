/** The part of croner's `Cron` class a check of an expression uses (the caller loads croner). */
export type CronClass = new (
  pattern: string,
  options: { paused: boolean },
) => { nextRun(): Date | null; stop(): void };

/** Why an expression croner reads is still refused: it has no time to come (`0 0 30 2 *`, a past year). */
export const CRON_NEVER_FIRES = 'it never fires: no date from now on matches it';

/**
 * Why a date and time croner reads (its one-time form, `2027-01-01T00:00:00`) is refused: a schedule,
 * a `cron_restart` or a rotation repeats; after its one run the job would wait for no next one.
 */
export const CRON_ONE_TIME = 'a date and time fires once; a cron expression repeats';

/** Why `@reboot` is refused: Velos has its own "once at start", the one-shot job. */
export const CRON_REBOOT =
  '@reboot is not a schedule: for a run at each start, start a one-shot job (type = "job", no schedule)';

/** Why a `CRON_TZ=`/`TZ=` prefix is refused: every expression is read in the daemon's time zone. */
export const CRON_ZONE_PREFIX =
  "there is no per-app time zone: expressions are read in the daemon's (the TZ it was started with); write the time in that zone";

/**
 * Why the scheduler (croner's `Cron`, given) refuses a cron expression, or why it would never fire, in
 * croner's first line, `CRON_REBOOT`, `CRON_ZONE_PREFIX`, `CRON_ONE_TIME` or `CRON_NEVER_FIRES`; null when it reads it and it has a next run. The config
 * loader, the CLI's flags and the daemon all check with it, so they accept and refuse the same ones.
 * @example cronExpressionProblem(Cron, '0 0 31 4 *') // → 'it never fires: no date from now on matches it'
 */
export function cronExpressionProblem(Cron: CronClass, expression: string): string | null {
  const word = expression.trim().split(/\s+/)[0]!;
  if (word.toLowerCase() === '@reboot') return CRON_REBOOT;
  if (/^(CRON_)?TZ=/i.test(word)) return CRON_ZONE_PREFIX;
  let job: InstanceType<CronClass>;
  try {
    job = new Cron(expression, { paused: true });
  } catch (cause) {
    return cause instanceof Error ? cause.message.split('\n')[0]! : String(cause);
  }
  try {
    // croner's patterns have 5 to 7 fields or are a nickname (@daily): anything else it took is a date
    const text = expression.trim();
    if (!text.startsWith('@') && text.split(/\s+/).length < 5) return CRON_ONE_TIME;
    return job.nextRun() === null ? CRON_NEVER_FIRES : null;
  } finally {
    job.stop();
  }
}
