import { cronExpressionProblem, ErrorCodes, VelosError } from '@velos/core';
import type { Cron } from 'croner';

/** A running cron schedule; `stop` ends it (also before croner has loaded). */
export interface CronSchedule {
  stop(): void;
  /** Epoch ms of the next tick; null once stopped or before croner has loaded. */
  nextRunAt(): number | null;
}

/**
 * Calls `onTick` on the cron `expression` (five fields, six with seconds first, seven with a year
 * last), for log rotation, `cron_restart` and a job's `schedule`. croner is loaded on first use, so a
 * daemon without crons never loads it; an expression croner rejects goes to `onError` (check it
 * beforehand with `checkCronExpression`).
 */
export function scheduleCron(
  expression: string,
  onTick: () => void,
  onError: (error: VelosError) => void,
  what = 'log rotation cron',
): CronSchedule {
  let job: Cron | null = null;
  let isStopped = false;
  loadCron()
    .then((Cron) => {
      if (!isStopped) job = new Cron(expression, { unref: true, protect: true }, onTick);
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
