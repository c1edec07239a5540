import { join } from 'node:path';
import type { AppSpec, ExitReason, HealthInfo, ProcessDetail, ProcessInfo, ProcessStatus } from '@velos/core';
import { effectiveExecMode } from './cluster/exec-mode.js';
import type { ForkChannel } from './fork-ipc.js';
import { instanceLogPaths } from './instance-log-paths.js';
import { type JobState, jobInfo } from './jobs/job-state.js';
import type { LogPipeline } from './logs/index.js';
import type { MonitorTarget } from './monitor.js';
import type { StatusEvent } from './process-status.js';
import { type RestartTimes, recentRestartsOf } from './recent-restarts.js';
import { type ResolvedCommand, resolveCommand } from './resolve-command.js';
import type { Emitter } from './typed-emitter.js';

/** One app in the table: the spec its instances share and their log files. */
export interface AppEntry {
  spec: AppSpec;
  /** Process ids of the instances, by instance index. */
  ids: number[];
  outPath: string;
  errPath: string;
  /** PM2's combined `log_file`, when the app has one (issue #14). */
  combinedPath?: string;
  /** SUP-7: true while the app's file watcher is ready and watching. */
  isWatching?: boolean;
  /** SUP-7: the watched paths its watcher could not watch at all, and why (ENOSPC…); absent when none. */
  watchError?: string;
}

/** The daemon's record of one supervised process (one instance of an app). */
export interface ProcessRecord extends MonitorTarget {
  id: number;
  instance: number;
  app: AppEntry;
  /**
   * Changed only by `setStatus` (process-status.ts), which announces it on `statusEvents`, and, silently,
   * by `restoreStatus` when a restore gives an `errored` process its status back.
   */
  readonly status: ProcessStatus;
  /**
   * True while `status` is the one a restore brought back (`errored` under the previous daemon, see
   * `restoreStatus`), not one reached under this daemon; the next `setStatus` clears it.
   */
  isStatusRestored: boolean;
  /** Where the status changes of this process are emitted: its table's emitter. */
  readonly statusEvents: Emitter<StatusEvent>;
  /** The current run (a spawned child, a cluster worker or a re-adopted orphan), or null. */
  run: ProcessRun | null;
  restarts: number;
  /**
   * Restarts `velos reset` took off `restarts` since the process was added: `velos_process_restart_total`
   * counts them on (`restartsSinceAdded`), in this daemon and in one that takes its table over.
   */
  restartsCleared: number;
  /** The restarts not asked for in the last 5 minutes (`ProcessInfo.recentRestarts`); absent before one. */
  recentRestarts?: RestartTimes;
  /** Of `restarts`, those an operator, a reload, watch mode or a cron schedule asked for. */
  requestedRestarts: number;
  unstableRestarts: number;
  /** Backoff delay used for the last automatic restart (0 = none). */
  backoffMs: number;
  startedAt: number | null;
  /** Epoch ms of the latest run's start, kept once it ended (PM2's `pm_uptime`); null before any run. */
  lastStartedAt: number | null;
  createdAt: number;
  exitCode: number | null;
  signal: string | null;
  lastExitReason: ExitReason | null;
  /**
   * Why the latest run started: the reason of the exit before it, kept once that run ended (its own
   * exit's reason is `lastExitReason`); unset until a run starts in this daemon.
   */
  lastStartReason?: ExitReason | null;
  restartAt: number | null;
  pipeline: LogPipeline;
  /** A user stop/restart/delete owns the process: its exit must not trigger the restart policy. */
  isUserOp: boolean;
  /** Set while processes left in the group of a run that exited by itself are being stopped. */
  leftovers: Promise<void> | null;
  /** User operations on this process run one after another through this chain. */
  ops: Promise<unknown>;
  /** Order of the latest spawn, for stopping in reverse start order. */
  spawnSeq: number;
  /** SUP-8: the schedule, current run and run history of a `type: job` app. */
  job?: JobState;
  /** SUP-11: probe health, kept by the probe manager (absent until a run of an app with probes). */
  health?: HealthInfo;
}

/**
 * One run of a process, whoever spawned it: the daemon (fork mode), a cluster primary (a worker),
 * or an earlier daemon (a re-adopted orphan). Its runner calls `RunnerHooks.onExit` when it ends.
 */
export interface ProcessRun {
  readonly pid: number;
  /** Resolves once the run's process has exited (and its exit was reported). */
  readonly exited: Promise<void>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** SUP-13: true for a run re-adopted from a daemon that died (`ProcessInfo.adopted`). */
  readonly isAdopted?: boolean;
  /** Start time of its pid where it is not the daemon's own child: a signal goes only to that process. */
  readonly startTicks?: number;
  /** Issue #14: the IPC channel of a fork-mode Node app (`wait_ready`, `shutdown_with_message`), or a cluster worker's 'shutdown' path. */
  readonly channel?: ForkChannel;
}

/** Statuses in which a process is running or about to run again. */
export function isActive(status: ProcessStatus): boolean {
  return (
    status === 'online' ||
    status === 'starting' ||
    status === 'stopping' ||
    status === 'waiting-restart' ||
    status === 'scheduled'
  );
}

/** The restarts of a process since it was added, which `velos reset` does not lower (`velos_process_restart_total`). */
export function restartsSinceAdded(record: Pick<ProcessRecord, 'restarts' | 'restartsCleared'>): number {
  return record.restarts + record.restartsCleared;
}

/** Statuses in which a process runs: its output may come (false for a process not in the table). */
export function isRunningStatus(status: ProcessStatus | undefined): boolean {
  return status === 'starting' || status === 'online' || status === 'stopping';
}

/**
 * Log file paths of an app: explicit files, `<name>-out.log`/`<name>-err.log`, or one merged file;
 * and PM2's combined `log_file` (`log_file: true`: `<name>.log`), when it has one.
 */
export function logPaths(
  home: string,
  spec: AppSpec,
): { outPath: string; errPath: string; combinedPath?: string } {
  const dir = join(home, 'logs');
  const combined = spec.logFile ?? (spec.logFileInHome ? join(dir, `${spec.name}.log`) : undefined);
  const withCombined = <T extends object>(paths: T) =>
    combined === undefined ? paths : { ...paths, combinedPath: combined };
  if (spec.mergeLogs) {
    const merged = spec.outFile ?? join(dir, `${spec.name}.log`);
    return withCombined({ outPath: merged, errPath: merged });
  }
  return withCombined({
    outPath: spec.outFile ?? join(dir, `${spec.name}-out.log`),
    errPath: spec.errFile ?? join(dir, `${spec.name}-err.log`),
  });
}

/** The `velos list` row of a process. */
export function toInfo(record: ProcessRecord, now = Date.now()): ProcessInfo {
  const isRunning = record.pid !== null && record.startedAt !== null;
  // figures of the previous run are not this one's (a restart until the next sample)
  const isSampled = isRunning && record.sampledPid === record.pid;
  return {
    id: record.id,
    name: record.app.spec.name,
    namespace: record.app.spec.namespace,
    instance: record.instance,
    pid: record.pid,
    // #19.9: stopped, but processes of its last run are still there (being stopped, or past SIGKILL)
    status: record.status === 'stopped' && record.leftovers ? 'stopping' : record.status,
    restarts: record.restarts,
    unstableRestarts: record.unstableRestarts,
    requestedRestarts: record.requestedRestarts,
    ...recentRestartsOf(record.recentRestarts, now),
    cpu: isSampled ? record.cpu : 0,
    memory: isSampled ? record.memory : 0,
    uptime: isRunning ? Math.max(0, now - record.startedAt!) : 0,
    startedAt: record.startedAt,
    createdAt: record.createdAt,
    exitCode: record.exitCode,
    signal: record.signal,
    lastExitReason: record.lastExitReason,
    restartAt: record.restartAt,
    execMode: effectiveExecMode(record.app.spec),
    type: record.app.spec.type,
    ...(record.app.spec.type === 'job' ? { job: jobInfo(record.job) } : {}),
    ...healthOf(record),
    ...(record.app.spec.watch === undefined ? {} : { hasWatch: true }),
    ...(record.app.isWatching ? { watching: true } : {}),
    ...(record.app.watchError === undefined ? {} : { watchError: record.app.watchError }),
    ...(record.run?.isAdopted ? { adopted: true } : {}),
  };
}

/** The `velos describe` view of a process: the row, the spec without env values, the command, log facts. */
export function toDetail(record: ProcessRecord): ProcessDetail {
  const { env, ownEnv: _ownEnv, ...rest } = record.app.spec;
  const counters = record.pipeline.counters();
  const files = instanceLogPaths(record.app, record.id);
  return {
    ...toInfo(record),
    spec: { ...rest, envKeys: Object.keys(env).sort() },
    command: describeCommand(record.app.spec),
    outLogPath: files.outPath,
    errLogPath: files.errPath,
    ...(files.combinedPath === undefined ? {} : { combinedLogPath: files.combinedPath }),
    lastStartedAt: record.lastStartedAt,
    cpuPeak: record.cpuPeak,
    memoryPeak: record.memoryPeak,
    logLines: { out: counters.out, err: counters.err },
    logDropped: counters.dropped,
  };
}

/** The `health` field of an app with probes (`unknown` before its first run); nothing without probes. */
function healthOf(record: ProcessRecord): { health?: HealthInfo } {
  const spec = record.app.spec;
  if (!spec.livenessProbe && !spec.readinessProbe) return {};
  return { health: { ...(record.health ?? { state: 'unknown', ready: false, lastFailure: null }) } };
}

function describeCommand(spec: AppSpec): ResolvedCommand {
  try {
    return resolveCommand(spec);
  } catch {
    return { file: spec.script, args: [...spec.args], shell: false };
  }
}
