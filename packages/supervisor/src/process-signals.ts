import { constants } from 'node:os';
import { ErrorCodes, VelosError } from '@velos/core';
import { HAS_PROCFS, readProcStat } from './proc-scan.js';
import type { ProcessRecord } from './process-record.js';

/**
 * PM2 `sendSignal` (#14): sends `signal` to the running processes among `records` (the process
 * itself, not its group, as PM2 does) and returns those it reached. A name the platform does not
 * know is INVALID_ARGUMENT; a target with no running process is too, so a script learns that
 * nothing received its SIGUSR2.
 */
export function signalRecords(records: ProcessRecord[], signal: string, target: string): ProcessRecord[] {
  if (!Object.hasOwn(constants.signals, signal)) {
    throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `signal: unknown signal ${signal} on this platform`, {
      data: { signal, field: 'signal' },
    });
  }
  const signalled: ProcessRecord[] = [];
  for (const record of records) {
    const pid = runningPid(record);
    if (pid === null) continue;
    try {
      process.kill(pid, signal as NodeJS.Signals);
      signalled.push(record);
    } catch (error) {
      // ESRCH: it exited between the check and the signal; its exit is reported as usual
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  if (signalled.length === 0) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `signal: no running process of '${target}' to send ${signal} to`,
      { data: { target, signal } },
    );
  }
  return signalled;
}

/**
 * PM2 `reset` (#14): the restart counters of `records` back to 0 (the restart policy's backoff is
 * kept), and a job's count of skipped runs (its run history is kept: `velos runs`); the restarts cleared
 * are kept apart, for the exported counter (`restartsSinceAdded`).
 */
export function resetCounters(records: ProcessRecord[]): void {
  for (const record of records) {
    record.restartsCleared += record.restarts;
    record.restarts = 0;
    record.requestedRestarts = 0;
    record.unstableRestarts = 0;
    if (record.job) record.job.skipped = 0;
  }
}

/** The pid of the record's live run, or null; a run that is not our child must still be the same process. */
function runningPid(record: ProcessRecord): number | null {
  const run = record.run;
  if (!run || run.hasExited()) return null;
  if (run.startTicks !== undefined && HAS_PROCFS && readProcStat(run.pid)?.startTicks !== run.startTicks) {
    return null;
  }
  return run.pid;
}
