import type { AppSpec, ExitReason } from '@velos/core';

/** A run at least this long resets the exponential backoff to its initial delay. */
export const BACKOFF_RESET_UPTIME_MS = 30_000;
/** Growth factor of the exponential backoff delay per consecutive restart. */
export const BACKOFF_FACTOR = 1.5;

/** The spec fields the restart policy reads. */
export type RestartPolicySpec = Pick<
  AppSpec,
  | 'autorestart'
  | 'stopExitCodes'
  | 'minUptimeMs'
  | 'maxRestarts'
  | 'restartDelayMs'
  | 'expBackoffRestartDelayMs'
  | 'maxBackoffDelayMs'
>;

/** Everything known about one exit of a supervised process. */
export interface ExitFacts {
  exitCode: number | null;
  signal: string | null;
  /** A re-adopted run ended: not our child, so its exit code and signal are unknown (both null). */
  isStatusUnknown?: boolean;
  /** A cluster worker ended because its primary exited (SUP-5): the primary failed, not the worker. */
  isPrimaryGone?: boolean;
  /** How long the run that just ended lasted. */
  uptimeMs: number;
  /** Unstable restarts in a row before this exit. */
  unstableRestarts: number;
  /** Backoff delay used for the previous restart (0 = none yet). */
  backoffMs: number;
  /** A user stop, restart or delete is in progress: the exit is expected. */
  isUserAction: boolean;
}

/** What to do after an exit; `unstableRestarts` and `backoffMs` are the values to keep. */
export type RestartDecision =
  | { action: 'none' }
  | { action: 'stop'; reason: ExitReason; unstableRestarts: number; backoffMs: number }
  | { action: 'errored'; reason: ExitReason; unstableRestarts: number; backoffMs: number }
  | { action: 'restart'; reason: ExitReason; delayMs: number; unstableRestarts: number; backoffMs: number };

/**
 * Decides, without side effects, whether and when an exited process is restarted (SUP-3). An exit
 * of unknown status (a re-adopted run) is neither `exit` nor `crash` but `unknown`: restarted under
 * `autorestart`, stopped without it; `stop_exit_codes` cannot apply to it. A cluster worker ended by
 * its primary's exit is `primary-exit`, under the same rules (a run that short still counts as
 * unstable: a primary that dies at every start must not restart its workers forever).
 */
export function decideRestart(spec: RestartPolicySpec, exit: ExitFacts): RestartDecision {
  if (exit.isUserAction) return { action: 'none' };
  const isStopCode = exit.exitCode !== null && spec.stopExitCodes.includes(exit.exitCode);
  // a stop exit code is the app saying "done on purpose": a clean exit, not a crash (events, alerts)
  const reason: ExitReason = exit.isPrimaryGone
    ? 'primary-exit'
    : exit.isStatusUnknown
      ? 'unknown'
      : (exit.exitCode === 0 && exit.signal === null) || isStopCode
        ? 'exit'
        : 'crash';
  if (!spec.autorestart || isStopCode) {
    return { action: 'stop', reason, unstableRestarts: exit.unstableRestarts, backoffMs: exit.backoffMs };
  }
  const isUnstable = exit.uptimeMs < spec.minUptimeMs;
  const unstableRestarts = isUnstable ? exit.unstableRestarts + 1 : 0;
  if (unstableRestarts > spec.maxRestarts) {
    // the count stays at the restarts made (max_restarts): this exit is not followed by one
    return { action: 'errored', reason, unstableRestarts: exit.unstableRestarts, backoffMs: exit.backoffMs };
  }
  if (spec.expBackoffRestartDelayMs > 0) {
    const backoffMs = nextBackoffMs(spec, exit.backoffMs, exit.uptimeMs);
    return { action: 'restart', reason, delayMs: backoffMs, unstableRestarts, backoffMs };
  }
  return { action: 'restart', reason, delayMs: spec.restartDelayMs, unstableRestarts, backoffMs: 0 };
}

/** What is known when a liveness probe has failed its threshold on a run. */
export interface UnhealthyFacts {
  /** How long the run has lasted. */
  uptimeMs: number;
  /** The liveness probe passed at least once on this run. */
  hasPassed: boolean;
  /** Unstable restarts in a row before this one. */
  unstableRestarts: number;
  /** Backoff delay used for the previous restart (0 = none yet). */
  backoffMs: number;
}

/**
 * Decides, without side effects, what follows a failed liveness probe (SUP-11) under the same policy as
 * an exit: not restarted without `autorestart` (the run is stopped, `errored`), `errored` after
 * `max_restarts` runs in a row on which the probe never passed, else restarted after `restart_delay` or
 * the exponential backoff. A run on which the probe never passed does not reset the backoff, however
 * long it lasted: a probe that fails at every start (a database down) waits longer each time.
 */
export function decideUnhealthyRestart(
  spec: RestartPolicySpec,
  facts: UnhealthyFacts,
): Exclude<RestartDecision, { action: 'none' | 'stop' }> {
  const { backoffMs } = facts;
  const unstableRestarts = facts.hasPassed ? 0 : facts.unstableRestarts + 1;
  if (!spec.autorestart) {
    return { action: 'errored', reason: 'unhealthy', unstableRestarts: facts.unstableRestarts, backoffMs };
  }
  if (unstableRestarts > spec.maxRestarts) {
    return { action: 'errored', reason: 'unhealthy', unstableRestarts: facts.unstableRestarts, backoffMs };
  }
  if (spec.expBackoffRestartDelayMs > 0) {
    const next = nextBackoffMs(spec, backoffMs, facts.hasPassed ? facts.uptimeMs : 0);
    return { action: 'restart', reason: 'unhealthy', delayMs: next, unstableRestarts, backoffMs: next };
  }
  return {
    action: 'restart',
    reason: 'unhealthy',
    delayMs: spec.restartDelayMs,
    unstableRestarts,
    backoffMs: 0,
  };
}

/** What is known when a run is over its `max_memory`. */
export interface MemoryFacts {
  /** How long the run has lasted. */
  uptimeMs: number;
  /** A sample of this run was under the limit before: it grew past it (a leak), not born over it. */
  wasUnderLimit: boolean;
  /** Unstable restarts in a row before this one. */
  unstableRestarts: number;
}

/**
 * Decides, without side effects, what follows a run over its `max_memory` (SUP-9): a restart at once,
 * or `errored` once it is the `max_restarts`+1th unstable one in a row. A memory restart is unstable
 * when the run lasted less than `min_uptime`, or when it was over the limit at its first sample: a
 * limit below the app's baseline (or a leak faster than the sampling) would otherwise restart it
 * every sample for ever, where PM2 does. A run that was under the limit for `min_uptime` resets the
 * count, as a stable run does after a crash.
 */
export function decideMemoryRestart(
  spec: RestartPolicySpec,
  facts: MemoryFacts,
): { action: 'restart' | 'errored'; unstableRestarts: number } {
  const isUnstable = facts.uptimeMs < spec.minUptimeMs || !facts.wasUnderLimit;
  const unstableRestarts = isUnstable ? facts.unstableRestarts + 1 : 0;
  // the count stays at the restarts made (max_restarts) when none follows this run
  if (unstableRestarts > spec.maxRestarts)
    return { action: 'errored', unstableRestarts: facts.unstableRestarts };
  return { action: 'restart', unstableRestarts };
}

/** The next exponential backoff delay: the initial value after a fresh start or a long run, else ×1.5 up to the cap. */
export function nextBackoffMs(spec: RestartPolicySpec, previousMs: number, uptimeMs: number): number {
  const initial = Math.min(spec.expBackoffRestartDelayMs, spec.maxBackoffDelayMs);
  if (previousMs <= 0 || uptimeMs >= BACKOFF_RESET_UPTIME_MS) return initial;
  return Math.min(Math.round(previousMs * BACKOFF_FACTOR), spec.maxBackoffDelayMs);
}
