import { cronExpressionProblem, ErrorCodes, VelosError } from '@velos/core';
import type { Cron } from 'croner';

/** A running cron schedule; `stop` ends it (also before croner has loaded). */
export interface CronSchedule {
  stop(): void;
  /** Epoch ms of the next tick; null once stopped or before croner has loaded. */
  nextRunAt(): number | null;
}

/** A time the schedule fired while nothing ran it: `onMissed` gets the latest such time after `afterMs`. */
export interface CronCatchUp {
  /** Epoch ms from which a due time counts as missed (the latest run, or when the last daemon wrote its state). */
  afterMs: number;
  onMissed(dueAt: number): void;
}

/**
 * Calls `onTick` on the cron `expression` (five fields, six with seconds first, seven with a year
 * last), for log rotation, `cron_restart` and a job's `schedule`. croner is loaded on first use, so a
 * daemon without crons never loads it; an expression croner rejects goes to `onError` (check it
 * beforehand with `checkCronExpression`). With `catchUp`, a time it was due after `catchUp.afterMs`
 * and before now goes to `catchUp.onMissed` once croner is loaded. A fixed time that fired already is
 * not fired again after the clock is set back less than 3 hours (told to `onRepeat`), as in Vixie cron.
 */
export function scheduleCron(
  expression: string,
  onTick: () => void,
  onError: (error: VelosError) => void,
  what = 'log rotation cron',
  catchUp?: CronCatchUp,
  onRepeat?: (dueAt: number) => void,
): CronSchedule {
  let job: Cron | null = null;
  let isStopped = false;
  import('croner')
    .then(({ Cron, CronPattern }) => {
      if (isStopped) return;
      const isFixedTime = new CronPattern(expression, undefined, CRON_RUN_OPTIONS).isFixedTime;
      const tick = isFixedTime ? firedOnce(() => job, onTick, onRepeat) : onTick;
      job = new Cron(expression, { ...CRON_RUN_OPTIONS, unref: true, protect: true }, tick);
      const dueAt = catchUp ? job.previousRuns(1, new Date())[0]?.getTime() : undefined;
      if (catchUp && dueAt !== undefined && dueAt > catchUp.afterMs) catchUp.onMissed(dueAt);
    })
    .catch((error: unknown) => onError(cronError(expression, error, what)));
  return {
    stop() {
      isStopped = true;
      job?.stop();
    },
    nextRunAt: () => (isStopped ? null : (job?.nextRun()?.getTime() ?? null)),
  };
}

/**
 * Resolves when croner accepts `expression` and it has a next run; rejects with `INVALID_ARGUMENT`
 * naming it (as `what`) otherwise, also for an expression that never fires (`0 0 30 2 *`).
 */
export async function checkCronExpression(expression: string, what = 'log rotation cron'): Promise<void> {
  const reason = cronExpressionProblem(await loadCron(), expression);
  if (reason !== null) throw cronError(expression, new Error(reason), what);
}

async function loadCron(): Promise<typeof Cron> {
  return (await import('croner')).Cron;
}

/**
 * A clock set back by less than this after a fixed time fired does not fire it again; a larger step is
 * taken as the clock put right, and the schedule follows it (Vixie cron's limit for a backward change).
 */
const CLOCK_BACK_GUARD_MS = 3 * 60 * 60 * 1000;

/**
 * A fixed-time expression's `onTick` as croner calls it, except for a due time at or before the one it
 * last fired, within `CLOCK_BACK_GUARD_MS`: croner schedules from the wall clock, so a clock stepped
 * back past 03:00 just after `0 3 * * *` fired would fire it again (a second backup run).
 */
function firedOnce(
  jobOf: () => Cron | null,
  onTick: () => void,
  onRepeat?: (dueAt: number) => void,
): () => void {
  let lastDueAt: number | null = null;
  return () => {
    // the due time croner fired for: the latest of the schedule up to now (it fires at or after it)
    const dueAt = jobOf()
      ?.previousRuns(1, new Date(Date.now() + 1))[0]
      ?.getTime();
    const isRepeat = dueAt !== undefined && lastDueAt !== null && dueAt <= lastDueAt;
    if (isRepeat && lastDueAt! - dueAt < CLOCK_BACK_GUARD_MS) {
      onRepeat?.(dueAt);
      return;
    }
    if (dueAt !== undefined) lastDueAt = dueAt;
    onTick();
  };
}

function cronError(expression: string, error: unknown, what: string): VelosError {
  const reason = error instanceof Error ? error.message : String(error);
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, `${what} '${expression}' is not valid: ${reason}`, {
    cause: error,
  });
}

/**
 * How croner reads a time across a daylight-saving change, as Vixie cron does: an expression without
 * `*` or a step in its second, minute and hour fields (`30 2 * * *`, `0,30 2 * * *`, `0 1-3 * * *`) is a
 * fixed time, fired once at the end of a skipped hour and once (the first time) in a repeated hour;
 * one with them (`30 * * * *`, a step of 15 minutes) follows the clock. croner's own default counts only
 * single values as fixed, so `0,30 2 * * *` was skipped on the spring-forward night and ran twice on
 * the fall-back night.
 */
const CRON_RUN_OPTIONS = { fixedTimeRule: 'no-wildcard' } as const;
