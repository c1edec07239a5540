import { setImmediate as nextTurn } from 'node:timers/promises';
import { formatBytes, isRequestedRestart, type ProcessInfo } from '@velos/core';
import type { ClusterRunner } from './cluster/cluster-runner.js';
import { orderByDependencies, stopWaves } from './dependencies/dependency-order.js';
import type { PublishEvent } from './events/event-bus.js';
import { createJobScheduler, type JobScheduler } from './jobs/job-scheduler.js';
import type { LiveState } from './live-state.js';
import { type LongTimer, setLongTimeout } from './long-timer.js';
import { isOverMemoryLimit } from './memory-limit.js';
import { queueOperation } from './operation-queue.js';
import { ensureFifos, removeFifos, runDirOf } from './orphans/run-files.js';
import { times } from './probes/index.js';
import { discardChild, type ForkedChild, forkChild } from './process-fork.js';
import { isActive, type ProcessRecord, toInfo } from './process-record.js';
import {
  adoptChild,
  type ExitCause,
  type RunnerHooks,
  spawnRecord,
  stopRecordTree,
} from './process-runner.js';
import { type StatusReason, setStatus } from './process-status.js';
import type { ProcessTable } from './process-table.js';
import { decideMemoryRestart, decideRestart, decideUnhealthyRestart } from './restart-policy.js';
import { createRunClock } from './run-clock.js';

/** Why a running process is restarted on purpose (not by the restart policy after an exit). */
export type RestartReason = 'user' | 'memory' | 'cron' | 'watch' | 'inactivity' | 'unhealthy' | 'reload';

/**
 * Restarts decided on a run that misbehaved: they only end a job's run (the job runs again on its
 * schedule, not now), and they are dropped once that run is no longer the process's current one.
 */
const ENDS_JOB_RUN: ReadonlySet<RestartReason> = new Set<RestartReason>([
  'memory',
  'inactivity',
  'unhealthy',
]);

/** What the life cycle of processes needs from the supervisor. */
export interface ProcessLifecycleOptions {
  home: string;
  table: ProcessTable;
  log(line: string): void;
  /** SUP-13: told after every operation and exit, so the live table follows. */
  live: LiveState;
  /** SUP-5: the cluster runner, once a cluster app loaded it. */
  cluster(): ClusterRunner | undefined;
  /** A run of a process is online (it has a pid). */
  onOnline(record: ProcessRecord): void;
  /** A run of a process has a pid but is still `starting` (see `RunnerHooks.onPid`). */
  onPid?(record: ProcessRecord): void;
  /** The run of a process ended, before the restart policy looks at its exit. */
  onRunEnded(record: ProcessRecord): void;
  /** A deleted process has just left the table. */
  onRemoved(record: ProcessRecord): void;
  /** OBS-2: receives `process.memory_limit` and, through the job scheduler, `job.started`/`job.finished`. */
  publish?: PublishEvent;
  /**
   * SUP-12: true while the dependency gate holds the process (`starting`, waiting for its
   * `depends_on`): a restart of it leaves it to the gate, which starts it once they are met.
   */
  isHeld?(record: ProcessRecord): boolean;
  /** SUP-12: why a job's scheduled run may not go now (a `depends_on` not met), null when it may. */
  unmetNow?(record: ProcessRecord): string | null;
}

/** Options of `ProcessLifecycle.launch`. */
export interface LaunchOptions {
  /** False: answer once spawned, without waiting for `wait_ready` apps (the restore at daemon start). */
  isWaitingReady?: boolean;
}

/**
 * The life cycle of the processes of a supervisor: their operation queue, spawns, stops, restarts
 * (on exit through the restart policy, or on purpose), deletes, and jobs' schedules.
 */
export interface ProcessLifecycle {
  /** The hooks runners report back to (fork-mode spawns, cluster workers, adopted orphans). */
  readonly hooks: RunnerHooks;
  /** SUP-8: the scheduler of the `type: job` apps. */
  readonly jobs: JobScheduler;
  /** Runs a user operation on a process after the ones already queued on it. */
  runOp<T>(record: ProcessRecord, op: () => Promise<T>): Promise<T>;
  /** True while the process is still in the table and the supervisor is open. */
  isLive(record: ProcessRecord): boolean;
  /** True once `close` was called. */
  isClosed(): boolean;
  /** Stops one process; true when it was running or about to restart. */
  stopOne(record: ProcessRecord): Promise<boolean>;
  /** Stops processes in `depends_on` waves (SUP-12), each wave in parallel; returns how many ran. */
  stopInWaves(records: ProcessRecord[]): Promise<number>;
  /**
   * Restarts one process; `unstableRestarts` is what its count becomes (0: a clean slate). Resolves
   * false when it did not: the process was deleted, or `isStopStanding` and the user stopped it while
   * the restart waited for the operations before it (by default for the restarts nobody asked for now:
   * `cron`, `memory`, `watch`, `inactivity`, `unhealthy`); also for `memory`, `inactivity` and `unhealthy`
   * when the run it was called on is no longer the current one (replaced by a reload, or ended); and
   * when the dependency gate holds it (SUP-12): it stays `starting`, waiting for its `depends_on`.
   */
  restartOne(
    record: ProcessRecord,
    reason?: RestartReason,
    unstableRestarts?: number,
    isStopStanding?: boolean,
  ): Promise<boolean>;
  /**
   * SUP-12: a restart of processes that are stopped or errored starts them as a start does: what their
   * last run left is stopped, then each one still stopped or errored is `starting` (not counted as a
   * restart, as PM2 does not count one) before any is launched; resolves them grouped by app, each app
   * after the apps of `records` it depends on, directly or through apps left out of `records` (for
   * `launchApps`, whose dependency gate waits for them).
   */
  prepareStopped(records: ProcessRecord[]): Promise<ProcessRecord[][]>;
  /** Counts a restart the user asked for that a stop and a start with a new spec carried out (`start` with `replace`). */
  countRestart(record: ProcessRecord): void;
  /** Stops a process and removes it from the table. */
  /** Stops and removes a process; `drain` runs first, once it is `stopping` (a cluster worker's disconnect). */
  deleteOne(record: ProcessRecord, drain?: (record: ProcessRecord) => Promise<void>): Promise<ProcessInfo>;
  /**
   * Deletes processes in `depends_on` waves, as `stopInWaves` stops them; their last rows, in `records`
   * order (without those another request deleted meanwhile).
   */
  deleteInWaves(records: ProcessRecord[]): Promise<ProcessInfo[]>;
  /** SUP-8 `cron_restart`: restarts the running processes of an app; false once the app is gone. */
  restartOnSchedule(name: string): boolean;
  /** SUP-9: restarts every online process whose tree RSS, just sampled, is over its `max_memory`. */
  enforceMemoryLimits(): void;
  /** SUP-11: a liveness probe failed its threshold on the record's current run. */
  restartUnhealthy(record: ProcessRecord, failures: number, reason: string, hasPassed: boolean): void;
  /**
   * Spawns processes marked `starting` one by one, letting other requests in between spawns; then waits
   * for the `wait_ready` ones to be ready (or their `listen_timeout`) and for cluster workers to be
   * online with their pids, unless `isWaitingReady` is false.
   */
  launch(records: ProcessRecord[], options?: LaunchOptions): Promise<void>;
  /** What a start of the process waits for once it is spawned: see `launch`. */
  whenStarted(record: ProcessRecord): Promise<void>;
  /** Marks processes as starting (so a concurrent start of their name is NAME_IN_USE). */
  prepare(ids: number[], reset: boolean): ProcessRecord[];
  /** Stops scheduling restarts; runs that end from now on are not restarted. */
  close(): void;
}

/** Creates the life cycle of the processes in `options.table`. */
export function createProcessLifecycle(options: ProcessLifecycleOptions): ProcessLifecycle {
  const { home, table, log, live } = options;
  let restartTimer: LongTimer | null = null;
  let isClosed = false;
  // Delays and uptimes on the monotonic clock: a wall-clock jump must not stretch a restart delay (#15).
  const clock = createRunClock();
  // SUP-9: the pid of each record's run once a sample saw it under its max_memory (a run born over it is unstable)
  const underLimitPid = new WeakMap<ProcessRecord, number>();
  const publish: PublishEvent = options.publish ?? (() => undefined);
  const hooks: RunnerHooks = {
    onOnline: (record) => {
      clock.markOnline(record);
      options.onOnline(record);
    },
    onPid: (record) => options.onPid?.(record),
    onExit: handleExit,
    onLeftoversGone: () => scheduleRestarts(),
    log,
    home,
    publish,
    onAppMessage: (record, message) =>
      (isAppMetric(message) ? table.appMetrics : table.appEvents).emit({
        id: record.id,
        name: record.app.spec.name,
        value: message,
      }),
  };
  const isLive = (record: ProcessRecord): boolean => !isClosed && table.records.get(record.id) === record;
  const runOp = <T>(record: ProcessRecord, op: () => Promise<T>): Promise<T> =>
    queueOperation(record, op, () => live.touch());
  const jobs = createJobScheduler({
    home,
    hooks,
    log,
    runOp,
    stopRun,
    isLive,
    publish,
    unmetNow: (record) => options.unmetNow?.(record) ?? null,
  });

  function label(record: ProcessRecord): string {
    return `process ${record.id} (${record.app.spec.name})`;
  }

  function handleExit(
    record: ProcessRecord,
    exitCode: number | null,
    signal: string | null,
    cause?: ExitCause,
  ): void {
    const isStatusUnknown = cause === 'status-unknown';
    const uptimeMs = clock.uptimeMs(record);
    const spec = record.app.spec;
    const decision =
      isClosed || record.isUserOp || spec.type === 'job'
        ? null
        : decideRestart(spec, {
            exitCode,
            signal,
            isStatusUnknown,
            isPrimaryGone: cause === 'primary-exit',
            uptimeMs,
            unstableRestarts: record.unstableRestarts,
            backoffMs: record.backoffMs,
            isUserAction: false,
          });
    // Issue 17: a restart due at once spawns first; the exit is then told as before (run ended, status
    // events, log line) and the new process adopted as its next run, so nothing of that delays it.
    const forked =
      decision?.action === 'restart' && decision.delayMs === 0 && canSpawnNow(record)
        ? forkChild(record, hooks)
        : null;
    options.onRunEnded(record);
    live.touch();
    record.startedAt = null;
    record.exitCode = exitCode;
    record.signal = signal;
    const how =
      cause === 'primary-exit'
        ? 'its cluster primary'
        : signal
          ? `signal ${signal}`
          : isStatusUnknown
            ? "an unknown code (re-adopted: not this daemon's child)"
            : `code ${exitCode}`;
    if (spec.type === 'job') {
      jobs.handleExit(record, exitCode, signal);
      return;
    }
    if (decision === null) {
      log(`${label(record)} exited with ${how}`);
      return;
    }
    if (decision.action === 'none') return;
    record.lastExitReason = decision.reason;
    record.unstableRestarts = decision.unstableRestarts;
    record.backoffMs = decision.backoffMs;
    if (decision.action === 'stop') {
      setStatus(record, 'stopped', decision.reason);
      log(`${label(record)} exited with ${how}: not restarted`);
    } else if (decision.action === 'errored') {
      setStatus(record, 'errored', decision.reason);
      const why = `${decision.unstableRestarts} unstable restarts in a row (max_restarts ${spec.maxRestarts}, min_uptime ${spec.minUptimeMs} ms)`;
      noteErr(record, `velos: stopped restarting after ${why}`);
      log(`${label(record)} exited with ${how}: errored after ${why}`);
    } else {
      record.restartAt = Date.now() + decision.delayMs;
      clock.markRestartIn(record, decision.delayMs);
      setStatus(record, 'waiting-restart', decision.reason);
      log(`${label(record)} exited with ${how}: restarting in ${decision.delayMs} ms`);
      if (forked) restartForked(record, forked);
      else scheduleRestarts(decision.delayMs === 0);
    }
  }

  /** A restart may spawn inside the exit's handling: a fork-mode app, its old run's leftovers gone. */
  function canSpawnNow(record: ProcessRecord): boolean {
    return !record.leftovers && record.app.spec.execMode !== 'cluster' && isLive(record);
  }

  /** The restart of `record` with the process spawned for it while its exit was handled. */
  function restartForked(record: ProcessRecord, forked: ForkedChild): void {
    // what the status change may have set off (a stop queues an operation: none runs in between)
    if (record.status !== 'waiting-restart' || !isLive(record)) {
      discardChild(forked);
      scheduleRestarts();
      return;
    }
    record.restarts += 1;
    adoptChild(record, forked, hooks);
  }

  /**
   * One timer for all pending restarts, set to the earliest `restartAt`. `isNow` (an exit with
   * `restart_delay` 0): a restart already due runs as soon as the exit has been handled (a `nextTick`),
   * before the I/O callbacks, immediates (the events file's write) and timers that wait in this turn of
   * the event loop, instead of after a 0 ms timeout (≥ 1 ms, more on a busy machine: issue 17).
   */
  function scheduleRestarts(isNow = false): void {
    restartTimer?.clear();
    restartTimer = null;
    if (isClosed) return;
    let next = Number.POSITIVE_INFINITY;
    for (const record of table.records.values()) {
      if (record.status === 'waiting-restart' && record.restartAt !== null && !record.leftovers)
        next = Math.min(next, clock.restartInMs(record));
    }
    if (next === Number.POSITIVE_INFINITY) return;
    restartTimer = isNow && next <= 0 ? onNextTick(runDueRestarts) : setLongTimeout(runDueRestarts, next);
  }

  function runDueRestarts(): void {
    restartTimer = null;
    let isRestarted = false;
    for (const record of table.records.values()) {
      if (record.status !== 'waiting-restart' || record.restartAt === null || clock.restartInMs(record) > 0)
        continue;
      if (record.leftovers) continue; // the old run's group is still being stopped: restart after it
      record.restarts += 1;
      isRestarted = true;
      if (!options.cluster()?.spawn(record)) spawnRecord(record, hooks);
    }
    // after the spawns: the live table keeps the count (the exit's write may be done by now)
    if (isRestarted) live.touch();
    scheduleRestarts();
  }

  /**
   * Stops the run of `record` (its tree); an exit meanwhile is the stop's, never restarted. `drain` runs
   * first, once the process is `stopping`: a cluster worker leaves its port before its signal.
   */
  async function stopRun(
    record: ProcessRecord,
    reason: StatusReason,
    drain?: (record: ProcessRecord) => Promise<void>,
  ): Promise<void> {
    // a job's run ended on purpose is recorded as such (`stopped`, `timeout`), not as a failure
    jobs.stopping(record, reason);
    record.isUserOp = true;
    setStatus(record, 'stopping', reason);
    try {
      if (drain) await drain(record);
      await stopRecordTree(record, hooks);
    } finally {
      record.isUserOp = false;
    }
  }

  function stopOne(record: ProcessRecord): Promise<boolean> {
    return runOp(record, async () => {
      jobs.disable(record);
      if (
        record.status === 'waiting-restart' ||
        record.status === 'scheduled' ||
        (record.status === 'starting' && !record.run)
      ) {
        setStatus(record, 'stopped', 'user');
        record.lastExitReason = 'user';
        record.restartAt = null;
        scheduleRestarts();
        return true;
      }
      if (!record.run) {
        // a process whose run ended by itself (errored included, as in PM2) is stopped by the user from
        // now on: cron_restart leaves it
        if (record.status === 'errored' || record.status === 'stopped') {
          setStatus(record, 'stopped', 'user');
          record.lastExitReason = 'user';
        }
        return false;
      }
      await stopRun(record, 'user');
      setStatus(record, 'stopped', 'user');
      record.lastExitReason = 'user';
      return true;
    });
  }

  /** An app stops after the apps that depend on it, so N apps take about one `kill_timeout` per wave, not N. */
  async function stopInWaves(records: ProcessRecord[]): Promise<number> {
    let stopped = 0;
    for (const wave of stopWaves(records, table.apps)) {
      for (const wasRunning of await Promise.all(wave.map(stopOne))) if (wasRunning) stopped += 1;
    }
    return stopped;
  }

  function restartOne(
    record: ProcessRecord,
    reason: RestartReason = 'user',
    unstableRestarts = 0,
    isStopStanding = reason !== 'user' && reason !== 'reload',
  ): Promise<boolean> {
    // a restart decided on a run's misbehaviour is for that run only: one that waited behind a reload's
    // step (or whose run ended by itself meanwhile) must not restart the run that replaced it
    const decidedFor = ENDS_JOB_RUN.has(reason) ? record.run : undefined;
    return runOp(record, async () => {
      if (table.records.get(record.id) !== record) return false;
      if (decidedFor !== undefined && record.run !== decidedFor) {
        log(`${label(record)}: not restarted (${reason}): the run it was for has ended meanwhile`);
        return false;
      }
      // a `stop` queued before this cron restart ran first: the user's stop stands
      if (reason === 'cron' && !isDueOnSchedule(record)) return false;
      // so it does before a restart of a running process that waited behind it (a memory or watch
      // restart, the next instance of a reload): it started the process again after `velos stop`
      if (isStopStanding && record.status === 'stopped' && record.lastExitReason === 'user') {
        log(`${label(record)}: not restarted (${reason}): stopped by the user meanwhile`);
        return false;
      }
      // SUP-12: an app waiting for its depends_on is started by the gate once they are met, not now
      // (a `velos restart`, reload or watch restart of it started it at once, before its dependencies)
      if (!record.run && !record.leftovers && options.isHeld?.(record)) {
        log(`${label(record)}: not restarted (${reason}): waiting for its dependencies`);
        return false;
      }
      // PM2 counts a restart of a running process only: one the user stopped (or that errored) starts again
      const isCounted = isActive(record.status) || (reason !== 'user' && reason !== 'reload');
      // what a run that exited by itself left is stopped first: the new run must not race it (#19.11)
      if (record.run || record.leftovers) await stopRun(record, reason);
      // a job is never restarted: a run stopped for misbehaving ends (judged by its exit), the schedule
      // goes on; a new run at once would loop on a job that stays silent or big (watchdog, max_memory)
      if (record.app.spec.type === 'job' && ENDS_JOB_RUN.has(reason)) {
        if (isLive(record) && record.status === 'stopping') jobs.settle(record, reason);
        return true;
      }
      record.restartAt = null;
      record.unstableRestarts = unstableRestarts;
      record.backoffMs = 0;
      if (isCounted) record.restarts += 1;
      if (isCounted && isRequestedRestart(reason)) record.requestedRestarts += 1;
      record.lastExitReason = reason;
      if (!isClosed) startRun(record);
      scheduleRestarts();
      return true;
    });
  }

  async function prepareStopped(records: ProcessRecord[]): Promise<ProcessRecord[][]> {
    await Promise.all(
      records.map((record) =>
        runOp(record, async () => {
          if (!record.leftovers || record.run || isActive(record.status)) return;
          const status = record.status;
          await stopRun(record, 'user');
          setStatus(record, status, 'user');
        }),
      ),
    );
    // another request may have started or deleted one meanwhile
    const still = records.filter((record) => isLive(record) && !isActive(record.status));
    const byApp = new Map<string, ProcessRecord[]>();
    for (const record of still) {
      const name = record.app.spec.name;
      byApp.set(name, [...(byApp.get(name) ?? []), record]);
    }
    // through the apps outside the selection too: `restart c a` (c → b → a, b stopped) starts a first
    const groups = orderByDependencies([...byApp.values()], (group) => group[0]!.app.spec, table.apps, {
      isLenient: true,
    });
    return groups.map((group) => {
      const prepared = prepare(
        group.map((record) => record.id),
        true,
      );
      for (const record of prepared) record.restartAt = null;
      return prepared;
    });
  }

  function countRestart(record: ProcessRecord): void {
    record.restarts += 1;
    record.requestedRestarts += 1;
    record.lastExitReason = 'user';
  }

  function restartOnSchedule(name: string): boolean {
    const entry = table.apps.get(name);
    if (!entry) return false;
    for (const id of entry.ids) {
      const record = table.records.get(id);
      if (!record || !isDueOnSchedule(record)) continue;
      const verb = isActive(record.status) ? 'restarting' : 'starting again';
      log(`${label(record)}: cron_restart '${entry.spec.cronRestart}': ${verb}`);
      restartOne(record, 'cron').catch((error) => log(`${label(record)}: cron restart failed: ${error}`));
    }
    return true;
  }

  /**
   * What a `cron_restart` tick restarts, as PM2 does: a running process, and one whose run ended by
   * itself (`autorestart: false`, a stop exit code, `max_restarts` reached); one the user stopped stays.
   */
  function isDueOnSchedule(record: ProcessRecord): boolean {
    if (record.status === 'online' || record.status === 'waiting-restart') return true;
    const reason = record.lastExitReason;
    const hasEndedByItself =
      reason === 'exit' || reason === 'crash' || reason === 'unknown' || reason === 'primary-exit';
    return (record.status === 'stopped' || record.status === 'errored') && hasEndedByItself;
  }

  function enforceMemoryLimits(): void {
    for (const record of table.records.values()) {
      if (!isOverMemoryLimit(record)) {
        if (record.pid !== null && record.sampledPid === record.pid && record.memory > 0)
          underLimitPid.set(record, record.pid);
        continue;
      }
      const spec = record.app.spec;
      const limit = spec.maxMemoryBytes!;
      const why = `memory ${formatBytes(record.memory)} over max_memory ${formatBytes(limit)}`;
      const decision =
        spec.type === 'job'
          ? { action: 'restart' as const, unstableRestarts: 0 }
          : decideMemoryRestart(spec, {
              uptimeMs: clock.uptimeMs(record),
              wasUnderLimit: record.pid !== null && underLimitPid.get(record) === record.pid,
              unstableRestarts: record.unstableRestarts,
            });
      const errored =
        decision.action === 'errored'
          ? `${why}; ${decision.unstableRestarts + 1} unstable runs in a row (max_restarts ${spec.maxRestarts}, min_uptime ${spec.minUptimeMs} ms: a run over the limit at its first sample or ended before min_uptime)`
          : null;
      const message = errored
        ? `${label(record)}: ${errored}: stopped, errored`
        : `${label(record)}: ${why}: restarting`;
      log(message);
      noteErr(record, errored ? `velos: stopped restarting: ${errored}` : `velos: restarting: ${why}`);
      publish({
        kind: 'process.memory_limit',
        severity: 'warning',
        app: spec.name,
        id: record.id,
        message,
        fields: { rss: record.memory, limit, pid: record.pid ?? null },
      });
      if (decision.action === 'restart') {
        restartOne(record, 'memory', decision.unstableRestarts).catch((error) =>
          log(`${label(record)}: memory restart failed: ${error}`),
        );
        continue;
      }
      const overRun = record.run;
      const overPid = record.pid;
      runOp(record, async () => {
        // a stop, restart or delete queued meanwhile came first: it stands
        if (!isLive(record) || record.run !== overRun || record.pid !== overPid || !isActive(record.status))
          return;
        if (record.run || record.leftovers) await stopRun(record, 'memory');
        record.lastExitReason = 'memory';
        record.unstableRestarts = decision.unstableRestarts;
        record.restartAt = null;
        setStatus(record, 'errored', 'memory');
      }).catch((error) => log(`${label(record)}: stopping a process over max_memory failed: ${error}`));
    }
  }

  /**
   * SUP-11: a failed liveness probe ends the run under the restart policy of an exit
   * (`decideUnhealthyRestart`): restarted at once or after `restart_delay` / the backoff (waiting as
   * `waiting-restart`, its run stopped meanwhile), not restarted without `autorestart`, and `errored`
   * after `max_restarts` runs in a row on which the probe never passed.
   */
  function restartUnhealthy(
    record: ProcessRecord,
    failures: number,
    reason: string,
    hasPassed: boolean,
  ): void {
    if (record.status !== 'online' || record.isUserOp) return;
    const spec = record.app.spec;
    const decision = decideUnhealthyRestart(spec, {
      uptimeMs: clock.uptimeMs(record),
      hasPassed,
      unstableRestarts: record.unstableRestarts,
      backoffMs: record.backoffMs,
    });
    const why = `liveness probe failed ${times(failures)}: ${reason}`;
    if (decision.action === 'restart' && decision.delayMs === 0) {
      log(`${label(record)}: ${why}: restarting`);
      noteErr(record, `velos: restarting: ${why}`);
      restartOne(record, 'unhealthy', decision.unstableRestarts).catch((error) =>
        log(`${label(record)}: unhealthy restart failed: ${error}`),
      );
      return;
    }
    if (decision.action === 'restart') {
      log(`${label(record)}: ${why}: restarting in ${decision.delayMs} ms`);
      noteErr(record, `velos: restarting in ${decision.delayMs} ms: ${why}`);
    } else {
      const errored = !spec.autorestart
        ? `${why}; not restarted (autorestart false)`
        : `${why}; it never passed in ${decision.unstableRestarts + 1} runs in a row (max_restarts ${spec.maxRestarts})`;
      log(`${label(record)}: ${errored}: stopped, errored`);
      noteErr(record, `velos: ${spec.autorestart ? 'stopped restarting' : 'stopped'}: ${errored}`);
    }
    const failedRun = record.run;
    runOp(record, async () => {
      // a stop, restart or delete queued meanwhile came first: it stands
      if (!isLive(record) || record.run !== failedRun || record.status !== 'online') return;
      if (record.run) await stopRun(record, 'unhealthy');
      record.lastExitReason = 'unhealthy';
      record.unstableRestarts = decision.unstableRestarts;
      if (decision.action !== 'restart') {
        // unstableRestarts stays at the restarts made (max_restarts): none follows this run
        setStatus(record, 'errored', 'unhealthy');
        return;
      }
      record.backoffMs = decision.backoffMs;
      record.restartAt = Date.now() + decision.delayMs;
      clock.markRestartIn(record, decision.delayMs);
      setStatus(record, 'waiting-restart', 'unhealthy');
      scheduleRestarts();
    }).catch((error) => log(`${label(record)}: stopping an unhealthy process failed: ${error}`));
  }

  /** A `velos:` note in a process's err log (nothing once it was deleted and its pipeline closed). */
  function noteErr(record: ProcessRecord, line: string): void {
    try {
      record.pipeline.note('err', line);
    } catch {
      // deleted meanwhile: its pipeline is closed
    }
  }

  function deleteOne(
    record: ProcessRecord,
    drain?: (record: ProcessRecord) => Promise<void>,
  ): Promise<ProcessInfo> {
    return runOp(record, async () => {
      if (record.run) await stopRun(record, 'user', drain);
      if (isActive(record.status)) setStatus(record, 'stopped', 'user');
      record.restartAt = null;
      jobs.forget(record);
      table.remove(record);
      options.onRemoved(record);
      removeFifos(runDirOf(home), record.id);
      scheduleRestarts();
      return toInfo(record);
    });
  }

  /** A dependency outlives its dependents here too: `velos delete all` must not stop a database under its app. */
  async function deleteInWaves(records: ProcessRecord[]): Promise<ProcessInfo[]> {
    const rows = new Map<ProcessRecord, ProcessInfo>();
    for (const wave of stopWaves(records, table.apps)) {
      // one deleted by another request while the waves before stopped is not deleted (nor told) twice
      const present = wave.filter((record) => table.records.get(record.id) === record);
      const deleted = await Promise.all(present.map((record) => deleteOne(record)));
      for (const [i, record] of present.entries()) rows.set(record, deleted[i]!);
    }
    return records.filter((record) => rows.has(record)).map((record) => rows.get(record)!);
  }

  async function launch(records: ProcessRecord[], launchOptions?: LaunchOptions): Promise<void> {
    await ensureFifos(
      runDirOf(home),
      records.map((record) => record.id),
    ).catch((error) => log(`cannot create stdio FIFOs (pipes are used): ${error}`));
    for (const [i, record] of records.entries()) {
      await runOp(record, async () => {
        if (record.status === 'starting' && !record.run && isLive(record)) startRun(record);
      });
      // other requests get in between spawns; after the last one the answer goes out first (issue 17:
      // what the spawn left for later, events, run entry, FIFO refill, runs from immediates after it)
      if (i < records.length - 1) await nextTurn();
    }
    if (launchOptions?.isWaitingReady === false) return;
    await Promise.all(records.map(whenStarted));
  }

  /**
   * Issue #14 wait_ready: a start answers once its Node apps sent 'ready' (or listen_timeout passed),
   * cluster workers too (their run has no channel of the daemon's: the primary tells their 'ready');
   * a cluster worker without it once online with its pid, as a fork app's run is once spawned.
   */
  async function whenStarted(record: ProcessRecord): Promise<void> {
    await (record.run?.channel?.ready ?? options.cluster()?.whenStarted(record));
  }

  /** SUP-8: a job's schedule is turned on (it runs now or when due); any other app is spawned. */
  function startRun(record: ProcessRecord): void {
    if (record.app.spec.type === 'job') jobs.enable(record);
    else if (!options.cluster()?.spawn(record)) spawnRecord(record, hooks);
  }

  function prepare(ids: number[], reset: boolean): ProcessRecord[] {
    return ids.map((id) => {
      const record = table.records.get(id)!;
      setStatus(record, 'starting', 'start');
      if (reset) {
        record.unstableRestarts = 0;
        record.backoffMs = 0;
      }
      return record;
    });
  }

  return {
    hooks,
    jobs,
    runOp,
    isLive,
    isClosed: () => isClosed,
    stopOne,
    stopInWaves,
    restartOne,
    prepareStopped,
    countRestart,
    deleteOne,
    deleteInWaves,
    restartOnSchedule,
    enforceMemoryLimits,
    restartUnhealthy,
    launch,
    whenStarted,
    prepare,
    close() {
      isClosed = true;
      restartTimer?.clear();
      restartTimer = null;
    },
  };
}

/** Calls `fn` once the current callback and the ticks queued before it are done; `clear` cancels it. */
function onNextTick(fn: () => void): LongTimer {
  let isCleared = false;
  process.nextTick(() => {
    if (!isCleared) fn();
  });
  return {
    clear: () => {
      isCleared = true;
    },
  };
}

/** OBS-6: an IPC message with `velos_metric` is a custom metric report, any other an app event. */
function isAppMetric(message: unknown): boolean {
  return typeof message === 'object' && message !== null && 'velos_metric' in message;
}
