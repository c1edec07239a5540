import { type AppSpec, ErrorCodes, type JobRun, VelosError } from '@velos/core';
import { type CronCatchUp, checkCronExpression, scheduleCron } from '../cron-schedule.js';
import type { PublishEvent } from '../events/event-bus.js';
import { setLongTimeout } from '../long-timer.js';
import { monotonicMs } from '../monotonic-ms.js';
import type { ProcessRecord, ProcessRun } from '../process-record.js';
import { type RunnerHooks, spawnRecord } from '../process-runner.js';
import { type StatusReason, setStatus } from '../process-status.js';
import { jobFinishedEvent, jobStartedEvent } from './job-events.js';
import type { JobState } from './job-state.js';
import { RunHistory } from './run-history.js';

/** What the job scheduler needs from the supervisor. */
export interface JobHost {
  home: string;
  hooks: RunnerHooks;
  log(line: string): void;
  /** Runs an operation on a process after the user operations already queued on it. */
  runOp<T>(record: ProcessRecord, op: () => Promise<T>): Promise<T>;
  /** Stops the current run of a process as an operation (its exit skips the restart policy). */
  stopRun(record: ProcessRecord, reason: StatusReason): Promise<void>;
  /** True while the process is still in the table and the supervisor is open. */
  isLive(record: ProcessRecord): boolean;
  /** OBS-2: receives `job.started` and `job.finished` (a job's status changes give no process events). */
  publish?: PublishEvent;
  /** SUP-12: why the job's `depends_on` holds a scheduled run back now (one not met), null when none does. */
  unmetNow?(record: ProcessRecord): string | null;
}

/** Runs the apps of `type: job` (SUP-8): one spawn per run, never overlapping, each run recorded. */
export interface JobScheduler {
  /** Gives a job's process its state and loaded run history (drops it if the app is no longer a job). */
  attach(record: ProcessRecord): void;
  /** Turns the schedule on: an interval job or a one-shot runs now, a cron job waits for its first tick. */
  enable(record: ProcessRecord): void;
  /**
   * The next `enable` brings the job back from saved state (daemon restart, `resurrect`, `update`)
   * that its daemon last wrote at `savedAt`: an interval job whose latest scheduled run ended less than
   * an interval ago waits for its due time; a cron job due while no daemon ran runs once at once.
   */
  restoring(record: ProcessRecord, savedAt?: number): void;
  /**
   * SUP-13: a run re-adopted from a daemon that died becomes the job's current run again (its
   * history entry, its timeout counted from its start); with `isEnabled` the schedule is on again
   * without running now. Its end is recorded `unknown` (no exit code) unless its timeout stopped it.
   */
  resume(record: ProcessRecord, isEnabled: boolean): void;
  /**
   * CFG-2: the job's `schedule` or `intervalMs` changed in place (a config reload, `config set`): an
   * enabled schedule is set again (an interval counts from the start of the run in progress, else of
   * the latest run, missed times are not made up); a job that became a one-shot is done once no run
   * is going. A run in progress goes on.
   */
  reschedule(record: ProcessRecord): void;
  /** Turns the schedule off (a run in progress goes on); true when it was on. */
  disable(record: ProcessRecord): boolean;
  /**
   * Runs the job now with trigger `user` (`isForced`: recorded `forced`, its `depends_on` not checked
   * by the caller); false when a run is already going or its start is pending.
   */
  trigger(record: ProcessRecord, isForced?: boolean): boolean;
  /**
   * Velos is about to stop the current run for `reason` (a no-op without one): its end is recorded
   * `timeout` for its timeout, `stopped` for a stop, restart or delete of the user and the daemon's
   * shutdown; a run stopped for misbehaving (memory, liveness, inactivity) is judged by its exit.
   */
  stopping(record: ProcessRecord, reason: StatusReason): void;
  /** Gives a job whose run Velos stopped (without a new run) its status between runs. */
  settle(record: ProcessRecord, reason: StatusReason): void;
  /** Records the end of a run; the supervisor calls it instead of its restart policy. */
  handleExit(record: ProcessRecord, exitCode: number | null, signal: string | null): void;
  /** Drops a deleted job: schedule off, run history file removed. */
  forget(record: ProcessRecord): void;
  /** Turns every schedule off (daemon shutdown). */
  stopAll(): void;
}

/** Rejects, before anything starts, a job spec the scheduler cannot run. */
export async function checkJobSpecs(specs: AppSpec[]): Promise<void> {
  for (const spec of specs) {
    if (spec.type !== 'job') continue;
    checkJobInstances(spec, spec.instances, spec.name);
    if (spec.schedule !== undefined) await checkCronExpression(spec.schedule, 'schedule');
  }
}

/**
 * Throws `INVALID_ARGUMENT` when `count` instances of `spec` would be a job running several instances
 * at once (a start, `velos scale`, `start -f`): its runs would overlap and repeat their numbers.
 * `what` begins the message (`nightly`, `scale nightly`).
 */
export function checkJobInstances(spec: AppSpec, count: number, what: string): void {
  if (spec.type !== 'job' || count === 1) return;
  throw new VelosError(
    ErrorCodes.INVALID_ARGUMENT,
    `${what}: a job runs one instance, never several at once: expected 1, got ${count}`,
    { data: { name: spec.name, field: 'instances' } },
  );
}

/** Creates the scheduler of every job of a supervisor. */
export function createJobScheduler(host: JobHost): JobScheduler {
  const states = new Set<ProcessRecord>();
  const publish: PublishEvent = host.publish ?? (() => undefined);

  function label(record: ProcessRecord): string {
    return `job ${record.id} (${record.app.spec.name})`;
  }

  function note(record: ProcessRecord, line: string): void {
    try {
      record.pipeline.note('err', `velos: ${line}`);
    } catch {
      // deleted meanwhile: its pipeline is closed
    }
  }

  function stateOf(record: ProcessRecord): JobState {
    if (record.job) return record.job;
    const spec = record.app.spec;
    const state: JobState = {
      history: new RunHistory(host.home, spec.name, spec.jobHistory, (message) =>
        host.log(`${label(record)}: ${message}`),
      ),
      isEnabled: false,
      current: null,
      currentSinceMono: null,
      nextRunAt: null,
      skipped: 0,
      intervalTimer: null,
      cron: null,
      timeoutTimer: null,
      stopOutcome: null,
    };
    record.job = state;
    states.add(record);
    return state;
  }

  function clearSchedule(state: JobState): void {
    state.intervalTimer?.clear();
    state.intervalTimer = null;
    state.cron?.stop();
    state.cron = null;
    state.nextRunAt = null;
  }

  /** The status of a job between runs. */
  function settle(record: ProcessRecord, reason: StatusReason): void {
    setStatus(record, stateOf(record).isEnabled ? 'scheduled' : 'stopped', reason);
  }

  /** Starts a run now; false when one is going (or the old run's group is still being stopped). */
  function runNow(record: ProcessRecord, trigger: JobRun['trigger'], isForced = false): boolean {
    const state = stateOf(record);
    if (!host.isLive(record)) return false;
    if (record.run || record.leftovers) {
      const going = state.current;
      const reason = going
        ? `previous run ${going.seq} still going (pid ${going.pid ?? '-'})`
        : 'the previous run is still being stopped';
      host.log(`${label(record)}: run skipped (${trigger}): the previous run is still going`);
      recordSkip(record, trigger, reason);
      return false;
    }
    // a dependency that stopped or failed since the job's start holds its later runs back, as its start
    const unmet = trigger === 'schedule' || trigger === 'interval' ? (host.unmetNow?.(record) ?? null) : null;
    if (unmet !== null) {
      host.log(`${label(record)}: run skipped (${trigger}): ${unmet}`);
      note(record, `run skipped (${trigger}): ${unmet}`);
      recordSkip(record, trigger, unmet);
      return false;
    }
    const seq = state.history.nextSeq();
    const forced = isForced ? { forced: true as const } : {};
    // on disk before the spawn: a daemon killed during the run leaves it in the history (interrupted)
    state.history.begin({
      seq,
      pid: null,
      startedAt: Date.now(),
      endedAt: null,
      exitCode: null,
      signal: null,
      outcome: 'running',
      trigger,
      ...forced,
    });
    spawnRecord(record, host.hooks);
    // spawnRecord sets the run (TypeScript keeps the narrowing to null from the check above)
    const run = record.run as ProcessRun | null;
    if (!run) {
      const failed: JobRun = {
        seq,
        pid: null,
        startedAt: Date.now(),
        endedAt: Date.now(),
        exitCode: null,
        signal: null,
        outcome: 'spawn-error',
        trigger,
        ...forced,
      };
      state.history.add(failed);
      publish(jobFinishedEvent(record, failed));
      if (!isRecurring(record.app.spec)) state.isEnabled = false;
      if (state.isEnabled) setStatus(record, 'scheduled', 'spawn-error');
      return true;
    }
    state.current = {
      seq,
      pid: run.pid,
      startedAt: record.startedAt ?? Date.now(),
      endedAt: null,
      exitCode: null,
      signal: null,
      outcome: 'running',
      trigger,
      ...forced,
    };
    state.currentSinceMono = monotonicMs() - Math.max(0, Date.now() - state.current.startedAt);
    state.history.begin(state.current);
    state.stopOutcome = null;
    state.isAdoptedRun = false;
    armTimeout(record, run.pid, seq, 0);
    host.log(
      `${label(record)}: run ${seq} started (${trigger}${isForced ? ', forced' : ''}), pid ${run.pid}`,
    );
    publish(jobStartedEvent(record, state.current));
    return true;
  }

  /**
   * Counts a due run that did not start and puts it in the history (`velos runs`: `skipped` with its
   * reason), a run `velos trigger` asked for excepted: that one is refused to the user instead.
   */
  function recordSkip(record: ProcessRecord, trigger: JobRun['trigger'], reason: string): void {
    const state = stateOf(record);
    state.skipped += 1;
    if (trigger !== 'user') state.history.skip(Date.now(), trigger, reason);
  }

  /** Arms the timeout of run `seq`, `elapsedMs` of it already gone. */
  function armTimeout(record: ProcessRecord, pid: number, seq: number, elapsedMs: number): void {
    const timeoutMs = record.app.spec.jobTimeoutMs;
    if (timeoutMs === undefined) return;
    const state = stateOf(record);
    const inMs = Math.max(0, timeoutMs - elapsedMs);
    state.timeoutTimer = setLongTimeout(() => timeOut(record, pid, seq, timeoutMs), inMs);
  }

  /** Turns the schedule on; an interval job runs now unless a taken-over run started at `runningSince`. */
  function enableSchedule(record: ProcessRecord, runningSince?: number): void {
    const state = stateOf(record);
    const spec = record.app.spec;
    const isRestoring = state.isRestoring === true;
    const savedAt = state.restoredSavedAt;
    state.isRestoring = false;
    state.restoredSavedAt = undefined;
    clearSchedule(state);
    state.isEnabled = true;
    if (spec.schedule !== undefined) {
      const expression = spec.schedule;
      const catchUp =
        isRestoring && savedAt !== undefined && runningSince === undefined
          ? missedRunCatchUp(record, savedAt)
          : undefined;
      state.cron = scheduleCron(
        expression,
        () => {
          if (state.isEnabled && host.isLive(record)) runNow(record, 'schedule');
        },
        (error) => host.log(`${label(record)}: ${error.message}`),
        'schedule',
        catchUp,
        (dueAt) =>
          host.log(
            `${label(record)}: its run due at ${new Date(dueAt).toISOString()} ran already (the clock was set back): not run again`,
          ),
      );
      if (!record.run) setStatus(record, 'scheduled', 'schedule');
      host.log(`${label(record)}: scheduled on '${expression}'`);
      return;
    }
    const dueFrom = runningSince ?? (isRestoring ? restoredDueFrom(state, spec.intervalMs) : null);
    if (dueFrom !== null && spec.intervalMs !== undefined) {
      if (!record.run) setStatus(record, 'scheduled', 'schedule');
      armInterval(record, dueFrom);
      if (runningSince === undefined && state.nextRunAt !== null) {
        host.log(`${label(record)}: restored, next run at ${new Date(state.nextRunAt).toISOString()}`);
      }
      return;
    }
    const startedAt = runningSince ?? Date.now();
    if (runningSince === undefined) runNow(record, 'start');
    if (spec.intervalMs !== undefined && state.isEnabled) armInterval(record, startedAt);
  }

  /**
   * A restored cron job runs once at once when its schedule was due while no daemon ran: after its
   * latest scheduled run and after the restored daemon last wrote its state (`savedAt`: a job stopped
   * and started since, or a run going, changed it), as an interval job already due runs at once.
   */
  function missedRunCatchUp(record: ProcessRecord, savedAt: number): CronCatchUp {
    const state = stateOf(record);
    const lastScheduled = state.history.runs.findLast((run) => run.trigger === 'schedule');
    return {
      afterMs: Math.max(savedAt, lastScheduled?.startedAt ?? 0),
      onMissed(dueAt) {
        if (!state.isEnabled || !host.isLive(record) || record.run) return;
        host.log(
          `${label(record)}: its run due at ${new Date(dueAt).toISOString()} was missed while no daemon ran: running it now`,
        );
        runNow(record, 'schedule');
      },
    };
  }

  function timeOut(record: ProcessRecord, pid: number, seq: number, timeoutMs: number): void {
    const state = stateOf(record);
    state.timeoutTimer = null;
    host
      .runOp(record, async () => {
        if (record.run?.pid !== pid || state.current?.seq !== seq) return;
        const why = `run ${seq} still going after the ${timeoutMs} ms timeout: stopping it`;
        note(record, why);
        host.log(`${label(record)}: ${why}`);
        await host.stopRun(record, 'timeout');
        if (host.isLive(record) && record.status === 'stopping') settle(record, 'timeout');
      })
      .catch((error) => host.log(`${label(record)}: stopping a timed-out run failed: ${error}`));
  }

  function armInterval(record: ProcessRecord, dueAt: number): void {
    const state = stateOf(record);
    const intervalMs = record.app.spec.intervalMs!;
    let next = dueAt + intervalMs;
    const now = Date.now();
    if (next <= now) next += Math.ceil((now - next + 1) / intervalMs) * intervalMs;
    state.nextRunAt = next;
    state.intervalTimer = setLongTimeout(() => {
      state.intervalTimer = null;
      if (!state.isEnabled || !host.isLive(record)) return;
      runNow(record, 'interval');
      // the timer is monotonic: a wall clock set back meanwhile must not delay the next run by as much (#15)
      armInterval(record, Math.min(next, Date.now()));
    }, next - now);
  }

  return {
    attach(record) {
      if (record.app.spec.type !== 'job') {
        if (record.job) clearSchedule(record.job);
        record.job = undefined;
        states.delete(record);
        return;
      }
      stateOf(record).history.setKeep(record.app.spec.jobHistory);
    },

    enable(record) {
      enableSchedule(record);
    },

    restoring(record, savedAt) {
      if (record.app.spec.type !== 'job') return;
      const state = stateOf(record);
      state.isRestoring = true;
      state.restoredSavedAt = savedAt;
    },

    resume(record, isEnabled) {
      const run = record.run;
      if (!run) return;
      const state = stateOf(record);
      const spec = record.app.spec;
      const startedAt = record.startedAt ?? Date.now();
      state.current = state.history.resume(run.pid) ?? {
        seq: state.history.nextSeq(),
        pid: run.pid,
        startedAt,
        endedAt: null,
        exitCode: null,
        signal: null,
        outcome: 'running',
        trigger:
          spec.schedule !== undefined ? 'schedule' : spec.intervalMs !== undefined ? 'interval' : 'start',
      };
      state.currentSinceMono = monotonicMs() - Math.max(0, Date.now() - state.current.startedAt);
      state.history.begin(state.current);
      state.stopOutcome = null;
      state.isAdoptedRun = true;
      armTimeout(record, run.pid, state.current.seq, Date.now() - state.current.startedAt);
      host.log(
        `${label(record)}: run ${state.current.seq} (pid ${run.pid}) taken over from a daemon that died`,
      );
      if (isEnabled) enableSchedule(record, state.current.startedAt);
    },

    reschedule(record) {
      const state = record.job;
      if (!state?.isEnabled) return;
      clearSchedule(state);
      if (!isRecurring(record.app.spec)) {
        // its runs so far were its one run; the one going ends it (`handleExit`)
        if (!record.run) {
          state.isEnabled = false;
          settle(record, 'reload');
        }
        return;
      }
      // a triggered run does not move the schedule
      const isScheduled = (run: JobRun): boolean => run.trigger !== 'user';
      const current = state.current && isScheduled(state.current) ? state.current : undefined;
      const last = current ?? state.history.runs.findLast(isScheduled);
      enableSchedule(record, last?.startedAt ?? Date.now());
      const next = state.nextRunAt === null ? '' : `, next run at ${new Date(state.nextRunAt).toISOString()}`;
      host.log(`${label(record)}: schedule changed${next}`);
    },

    disable(record) {
      if (!record.job) return false;
      const wasEnabled = record.job.isEnabled;
      record.job.isEnabled = false;
      record.job.isRestoring = false;
      clearSchedule(record.job);
      return wasEnabled;
    },

    trigger(record, isForced) {
      const state = stateOf(record);
      if (record.run) {
        host.log(`${label(record)}: trigger ignored: run ${state.current?.seq ?? '?'} is still going`);
        return false;
      }
      // its start is pending (depends_on, or a launch queued): a run now would make the launch skip it
      if (record.status === 'starting') {
        host.log(`${label(record)}: trigger ignored: it is starting`);
        return false;
      }
      return runNow(record, 'user', isForced);
    },

    stopping(record, reason) {
      const state = record.job;
      if (!state?.current) return;
      const outcome = reason === 'timeout' ? 'timeout' : STOPPED_BY.has(reason) ? 'stopped' : null;
      // the first reason stands: a user's stop queued behind a timeout's does not relabel it
      state.stopOutcome ??= outcome;
    },

    settle(record, reason) {
      settle(record, reason);
    },

    handleExit(record, exitCode, signal) {
      const state = stateOf(record);
      state.timeoutTimer?.clear();
      state.timeoutTimer = null;
      const now = Date.now();
      // A run without a current entry was re-adopted from an earlier daemon.
      const run: JobRun = state.current ?? {
        seq: state.history.nextSeq(),
        pid: record.run?.pid ?? null,
        startedAt: record.startedAt ?? now,
        endedAt: null,
        exitCode: null,
        signal: null,
        outcome: 'running',
        trigger: record.app.spec.schedule !== undefined ? 'schedule' : 'interval',
      };
      // a taken-over run is not this daemon's child: how it ended cannot be known (SUP-13)
      const isUnknown = state.isAdoptedRun === true && exitCode === null && signal === null;
      const outcome: JobRun['outcome'] =
        state.stopOutcome ?? (isUnknown ? 'unknown' : exitCode === 0 ? 'ok' : 'failed');
      // the monotonic clock measures the run (see `currentSinceMono`); the wall clock one without it
      const tookMs =
        state.current !== null && state.currentSinceMono !== null
          ? Math.round(monotonicMs() - state.currentSinceMono)
          : now - run.startedAt;
      const finished: JobRun = {
        ...run,
        endedAt: run.startedAt + Math.max(0, tookMs),
        exitCode,
        signal,
        outcome,
      };
      state.current = null;
      state.currentSinceMono = null;
      state.stopOutcome = null;
      state.isAdoptedRun = false;
      state.history.add(finished);
      publish(jobFinishedEvent(record, finished));
      const reason =
        outcome === 'timeout' ? 'timeout' : outcome === 'stopped' ? 'user' : isUnknown ? 'unknown' : 'exit';
      record.lastExitReason = reason;
      const how = signal ? `signal ${signal}` : isUnknown ? 'exit code unknown' : `code ${exitCode}`;
      host.log(
        `${label(record)}: run ${finished.seq} ${outcome} (${how}) after ${finished.endedAt! - run.startedAt} ms`,
      );
      if (!isRecurring(record.app.spec)) state.isEnabled = false;
      // A stop, restart or timeout in progress sets the status itself once the run is gone.
      if (record.isUserOp || !host.isLive(record)) return;
      settle(record, reason);
    },

    forget(record) {
      if (!record.job) return;
      clearSchedule(record.job);
      record.job.isEnabled = false;
      record.job.timeoutTimer?.clear();
      record.job.history.remove();
      states.delete(record);
    },

    stopAll() {
      for (const record of states) {
        if (!record.job) continue;
        record.job.isEnabled = false;
        clearSchedule(record.job);
        record.job.timeoutTimer?.clear();
      }
    },
  };
}

/**
 * Why Velos stops a run on purpose, not because it misbehaved: a user's stop, restart or delete (the
 * daemon's shutdown stops each process as a user's stop), `cron_restart`, a watch restart, a reload.
 */
const STOPPED_BY: ReadonlySet<StatusReason> = new Set<StatusReason>(['user', 'cron', 'watch', 'reload']);

/** Outcomes of a run that went to its end by itself (not stopped by Velos, not cut by a daemon's death). */
const RAN_TO_END: ReadonlySet<JobRun['outcome']> = new Set<JobRun['outcome']>([
  'ok',
  'failed',
  'timeout',
  'unknown',
]);

/**
 * The start of the latest scheduled run (`start`, `interval`: a triggered run does not move the
 * schedule) when it ran to its end and its next run is not yet due; null otherwise (the job runs now).
 */
function restoredDueFrom(state: JobState, intervalMs: number | undefined): number | null {
  if (intervalMs === undefined) return null;
  const last = state.history.runs.findLast(
    (run) => (run.trigger === 'start' || run.trigger === 'interval') && run.outcome !== 'skipped',
  );
  if (!last || !RAN_TO_END.has(last.outcome)) return null;
  return last.startedAt + intervalMs > Date.now() ? last.startedAt : null;
}

/** A job with a schedule or an interval runs again; one without is a one-shot. */
function isRecurring(spec: AppSpec): boolean {
  return spec.schedule !== undefined || spec.intervalMs !== undefined;
}
