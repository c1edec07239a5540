import type { ProbeSpec } from '@velos/core';
import { type LongTimer, setLongTimeout } from '../long-timer.js';
import { monotonicMs } from '../monotonic-ms.js';
import type { ExecContext } from './exec-check.js';
import { runCheck } from './run-check.js';

/** A running probe; `stop` ends its timer and cancels a check in flight. */
export interface ProbeHandle {
  stop(): void;
}

/** Timers fire a little late: a starting check this close to a full interval after the last report counts as one. */
const STARTING_SLACK_MS = 50;

/** How often a probe checks while its process starts (before its first pass), when its interval is longer. */
export const STARTING_CHECK_MS = 1000;

/**
 * Runs a probe's checks: the first after `initialDelayMs`, then one every `intervalMs` (counted from
 * the previous check's start, never two at a time); each result (null = passed) goes to `onResult`.
 *
 * While the process starts (until the first pass, for at most `intervalMs` × `failureThreshold`, the
 * time the checks take to fail it), a failed check is tried again every `STARTING_CHECK_MS`: a program
 * that listens a moment after its start is healthy within a second, not one interval later. Those
 * extra failures are not reported: one failure goes to `onResult` per `intervalMs`, as without them,
 * so a probe still fails its threshold (and restarts a process) no sooner than it did.
 */
export function startProbe(
  spec: ProbeSpec,
  context: ExecContext,
  onResult: (reason: string | null) => void,
): ProbeHandle {
  const stop = new AbortController();
  let timer: LongTimer | null = null;
  let startingUntil = Number.NEGATIVE_INFINITY;
  let reportedAt = Number.NEGATIVE_INFINITY;
  const schedule = (delayMs: number) => {
    timer = setLongTimeout(tick, delayMs, { unref: true });
  };
  const tick = async () => {
    timer = null;
    // the monotonic clock: a wall clock stepped back (NTP at boot) kept a starting probe's failures
    // unreported, and its next check unscheduled, for as long as the step
    const startedAt = monotonicMs();
    if (reportedAt === Number.NEGATIVE_INFINITY)
      startingUntil = startedAt + spec.intervalMs * spec.failureThreshold;
    const reason = await runCheck(spec, spec.timeoutMs, context, stop.signal);
    if (stop.signal.aborted) return;
    const isStarting = startedAt < startingUntil;
    if (reason === null) startingUntil = Number.NEGATIVE_INFINITY;
    // a failure while starting is reported once per interval, as the checks of the normal pace would be
    if (reason === null || !isStarting || startedAt - reportedAt >= spec.intervalMs - STARTING_SLACK_MS) {
      reportedAt = startedAt;
      onResult(reason);
    }
    if (stop.signal.aborted) return;
    const interval =
      reason !== null && isStarting ? Math.min(spec.intervalMs, STARTING_CHECK_MS) : spec.intervalMs;
    schedule(interval - (monotonicMs() - startedAt));
  };
  schedule(spec.initialDelayMs);
  return {
    stop() {
      stop.abort();
      timer?.clear();
      timer = null;
    },
  };
}
