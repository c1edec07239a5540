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
 * and before now goes to `catchUp.onMissed` once croner is loaded.
 */
export function scheduleCron(
  expression: string,
  onTick: () => void,
  onError: (error: VelosError) => void,
  what = 'log rotation cron',
  catchUp?: CronCatchUp,
): CronSchedule {
  let job: Cron | null = null;
  let isStopped = false;
  loadCron()
    .then((Cron) => {
      if (isStopped) return;
      job = new Cron(expression, { ...CRON_RUN_OPTIONS, unref: true, protect: true }, onTick);
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
