import type { AppSpec, DependencyCondition } from './app-spec.js';
import type { CustomMetricSeries } from './metrics.js';

/** Life-cycle states of a supervised process; `scheduled` = a job waiting for its next run (SUP-8). */
export type ProcessStatus =
  | 'starting'
  | 'online'
  | 'stopping'
  | 'stopped'
  | 'waiting-restart'
  | 'errored'
  | 'scheduled';

/**
 * Every reason a process exited or was restarted; `unknown` = a re-adopted run ended (SUP-13): it was
 * not this daemon's child, so nobody can tell whether it exited cleanly or crashed; `primary-exit` = a
 * cluster worker ended because its cluster primary exited (SUP-5): the primary's exit is the failure
 * (one `process.primary_exited` event), not a crash of each worker.
 */
export const EXIT_REASONS = [
  'crash',
  'exit',
  'user',
  'memory',
  'watch',
  'cron',
  'inactivity',
  'unhealthy',
  'reload',
  'spawn-error',
  'timeout',
  'unknown',
  'primary-exit',
] as const;

/** Why a process exited or was restarted (one of `EXIT_REASONS`). */
export type ExitReason = (typeof EXIT_REASONS)[number];

/**
 * A restart asked for from outside the process (`velos restart`/`reload`, a watched file, `cron_restart`):
 * no sign of trouble. `ProcessInfo.requestedRestarts` counts them.
 */
export function isRequestedRestart(reason: ExitReason | null | undefined): boolean {
  return reason === 'user' || reason === 'reload' || reason === 'watch' || reason === 'cron';
}

/** SUP-11 health of a process with probes: `degraded` = failing checks below the threshold, or not ready. */
export type HealthState = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** Health of a process as `list`/`describe` show it (absent when it has no probe). */
export interface HealthInfo {
  state: HealthState;
  /** Readiness: true once the readiness probe (or, without one, the liveness probe) passes. */
  ready: boolean;
  /** The latest failure: which probe, why, when. */
  lastFailure: { probe: 'liveness' | 'readiness'; reason: string; at: number } | null;
}

/** One run of a job (SUP-8). */
export interface JobRun {
  /** Run number, from 1 up for the app. */
  seq: number;
  pid: number | null;
  startedAt: number;
  /** Epoch ms when it ended; null while it runs. */
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  /**
   * `ok` = exit 0; `failed` = other exit; `timeout` = stopped after `timeout`; `stopped` = ended by a
   * stop, restart or delete of the user, or by the daemon's shutdown (`velos kill`): no failure;
   * `running`; `interrupted` = the daemon died during the run and the run was gone by the time the
   * next daemon started (its end is unknown: `endedAt` null); `unknown` = the daemon died during the
   * run, the next one took the run over and saw it end (`endedAt` set), but its exit code cannot be
   * known (SUP-13); `skipped` = a run that fell due and did not start (the previous run still going,
   * a `depends_on` not met): `reason` says why, `pid` and `exitCode` are null, `startedAt` is when it
   * fell due and `endedAt` when the last of `skips` due times in a row skipped for the same reason did.
   */
  outcome:
    | 'running'
    | 'ok'
    | 'failed'
    | 'timeout'
    | 'stopped'
    | 'spawn-error'
    | 'interrupted'
    | 'unknown'
    | 'skipped';
  /** What started it (or, for a skipped run, what it was due by): `schedule`, `interval`, `start` or `user`. */
  trigger: 'schedule' | 'interval' | 'start' | 'user';
  /** Why a `skipped` run did not start: `previous run 4 still going (pid 4242)`, `dependency 'db' is stopped`. */
  reason?: string;
  /** How many due times in a row a `skipped` entry stands for (each skipped for its `reason`): 1 or more. */
  skips?: number;
  /** A run of `velos trigger --force`: it ran although a `depends_on` of the job was not met. */
  forced?: true;
}

/** One row of `velos list`: what every client shows about a process. */
export interface ProcessInfo {
  id: number;
  name: string;
  namespace: string;
  instance: number;
  pid: number | null;
  status: ProcessStatus;
  /** Restarts performed by the daemon (crash, exit, user restart) since start or `reset`. */
  restarts: number;
  /** Unstable restarts in a row, compared with `maxRestarts`. */
  unstableRestarts: number;
  /**
   * Of `restarts`, those asked for from outside (`user`, `reload`, `watch`, `cron`): no sign of
   * trouble, unlike a crash, exit, memory, unhealthy or inactivity restart. Absent from earlier daemons.
   */
  requestedRestarts?: number;
  /**
   * Restarts in the last 5 minutes not asked for: of the process's own doing (`own`: a crash, an exit,
   * the memory limit, inactivity, a failing liveness probe) and with its cluster primary's exit
   * (`primary`); what the dashboard's `crash loop` label counts (3 or more). Absent when none (and from
   * earlier daemons); counted by the running daemon only, not across its restart.
   */
  recentRestarts?: { own: number; primary: number };
  /** CPU percent of the process tree (100 = one core), last sample. */
  cpu: number;
  /** RSS of the process tree in bytes, last sample. */
  memory: number;
  /** Milliseconds since the current run became online; 0 when not running. */
  uptime: number;
  /** Epoch ms of the current run's start, or null. */
  startedAt: number | null;
  /** Epoch ms when the app was added. */
  createdAt: number;
  /** Exit code of the last run (null: killed by a signal, or a re-adopted run's `unknown` exit). */
  exitCode: number | null;
  signal: string | null;
  /** Reason of the last exit or restart, if any. */
  lastExitReason: ExitReason | null;
  /** Epoch ms of the next restart when `waiting-restart`. */
  restartAt: number | null;
  /** `fork` or `cluster` (what actually runs: non-Node programs fork). */
  execMode: 'fork' | 'cluster';
  /** `service` or `job`. */
  type: 'service' | 'job';
  /** Probe health (SUP-11); absent without probes. */
  health?: HealthInfo;
  /** A job's latest run, next due time, runs so far and runs skipped because one was still going or a depends_on was not met (SUP-8); absent for services. */
  job?: { lastRun: JobRun | null; nextRunAt: number | null; runs: number; skipped: number };
  /** True when the app has watch mode (`watch`), whatever its status (SUP-7); absent otherwise. */
  hasWatch?: boolean;
  /** True while the app's file watcher runs (SUP-7): it is closed while the app is stopped. */
  watching?: boolean;
  /**
   * The watched paths the app's file watcher could not watch at all, and why (SUP-7: `/srv/api: ENOSPC…`
   * when the inotify table is full): their changes restart nothing. Absent when every path is watched.
   */
  watchError?: string;
  /** Set while a process is re-adopted after a daemon restart (SUP-13): the pid came from the previous daemon. */
  adopted?: boolean;
  /**
   * SUP-12: while the process is held back by its `depends_on` (`starting`, no pid), the dependencies not
   * met yet, each with where it stands (`online, not ready (readiness: HTTP 503)`); absent when it does
   * not wait. Sent by `list` and `describe` (an older daemon sends it in neither, or in `describe` only).
   */
  waitingFor?: { name: string; condition: DependencyCondition; state: string }[];
}

/** Everything `velos describe` shows: the row, the spec (env values omitted) and log facts. */
export interface ProcessDetail extends ProcessInfo {
  spec: Omit<AppSpec, 'env' | 'ownEnv'> & { envKeys: string[] };
  command: { file: string; args: string[]; shell: boolean };
  outLogPath: string;
  errLogPath: string;
  /** PM2's combined `log_file` this process also writes (issue #14), when its app has one. */
  combinedLogPath?: string;
  /** Epoch ms of the latest run's start, the current one's while it runs (PM2's `pm_uptime`); null before any run. */
  lastStartedAt: number | null;
  cpuPeak: number;
  memoryPeak: number;
  /** Lines the process printed since the daemon began capturing it, flushed and rotated ones included (not the current file's count). */
  logLines: { out: number; err: number };
  /** Lines dropped because a writer outran the disk (never silently). */
  logDropped: number;
  /** OBS-6: the custom metrics the process reported, by series; absent when it reported none. */
  custom?: CustomMetricSeries[];
}

/** One captured log line. */
export interface LogLine {
  /** Epoch ms when the daemon read the line, or the line's own time (LOG-5, a JSON line with `ts`/`time`/`timestamp`). */
  ts: number;
  stream: 'out' | 'err';
  id: number;
  name: string;
  pid: number | null;
  /** The text; for a parsed JSON line (LOG-5) its message. */
  line: string;
  /** Level of a line of an app with JSON log files, or of any line a search by level found (the level it judged): fatal, error, warn, info, debug or trace (LOG-5). */
  lvl?: string;
  /** The other fields of a parsed JSON line (LOG-5); absent when it has none. */
  fields?: Record<string, unknown>;
  /**
   * The line's bytes as the app wrote them, when they are not valid UTF-8 (`line` shows U+FFFD for
   * them); only in answers to a `logs` request with `withBytes` (`velos logs --raw`), plain log files only.
   */
  bytes?: Uint8Array;
  /**
   * Set on a marker of a live follow, not a line of the app: this many lines of the process were left
   * out here because the follower fell behind (its reader did not take them); `line` says so.
   */
  skipped?: number;
  /**
   * Set on a line of an app with several processes (cluster instances) when it is known to be process
   * `id`'s (`velos logs` shows `<name>:<id>`); absent on a line read back from log files the processes
   * share, which cannot be told apart (`id` is then the first of them).
   */
  isIdKnown?: true;
}
