import { type ExitReason, isRequestedRestart, type ProcessInfo } from '@velos/core';

/** The window `ProcessInfo.recentRestarts` counts in: what the dashboard's crash-loop label looks at. */
export const RECENT_RESTARTS_WINDOW_MS = 5 * 60_000;
/** Restart times kept per process: a loop of restarts without delay counts "at least" this many. */
const MAX_KEPT = 100;

/** The restarts of a process not asked for, newest last, within the window (`at`: epoch ms). */
export type RestartTimes = { at: number; isPrimaryExit: boolean }[];

/**
 * Notes a restart of `reason` at `at` (a `process.restarting` event's) in `times`: a restart asked for
 * (user, reload, watch, cron) is no sign of a loop and is left out, as the dashboard's events count does.
 */
export function noteRestart(times: RestartTimes, reason: ExitReason | null, at: number): void {
  if (isRequestedRestart(reason)) return;
  times.push({ at, isPrimaryExit: reason === 'primary-exit' });
  const firstInWindow = times.findIndex((time) => at - time.at <= RECENT_RESTARTS_WINDOW_MS);
  times.splice(0, Math.max(firstInWindow, times.length - MAX_KEPT));
}

/** The `recentRestarts` of a process's row at `now`: its own and its primary's, or nothing when none. */
export function recentRestartsOf(
  times: RestartTimes | undefined,
  now: number,
): Pick<ProcessInfo, 'recentRestarts'> {
  let own = 0;
  let primary = 0;
  for (const time of times ?? []) {
    if (now - time.at > RECENT_RESTARTS_WINDOW_MS) continue;
    if (time.isPrimaryExit) primary += 1;
    else own += 1;
  }
  return own + primary === 0 ? {} : { recentRestarts: { own, primary } };
}
