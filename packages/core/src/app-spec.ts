import type { LogRuleSpec } from './log-rule.js';

/** How a captured log file is written. */
export type LogFormat = 'plain' | 'json';

/** `fork`: one process per instance; `cluster`: Node instances share their ports through a cluster primary. */
export type ExecMode = 'fork' | 'cluster';

/** `service`: kept running; `job`: run on a schedule or interval, never overlapping itself. */
export type AppType = 'service' | 'job';

/** What a probe checks (SUP-11). */
export type ProbeCheck =
  | {
      kind: 'http';
      /** URL fetched with GET. */
      url: string;
      /** Accepted status range, inclusive. */
      statusMin: number;
      statusMax: number;
      headers: Record<string, string>;
    }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'exec'; command: string };

/** A liveness or readiness probe (SUP-11), every default filled in. */
export type ProbeSpec = ProbeCheck & {
  /** Time between two checks. */
  intervalMs: number;
  /** A check that takes longer fails. */
  timeoutMs: number;
  /** Failed checks in a row that make the probe fail. */
  failureThreshold: number;
  /** Passed checks in a row that make a failed probe pass again. */
  successThreshold: number;
  /** Delay after the process is online before the first check. */
  initialDelayMs: number;
};

/** Log-inactivity watchdog (SUP-10). */
export interface WatchdogSpec {
  /** No new output (or log file growth) for this long restarts the process (reason `inactivity`). */
  timeoutMs: number;
  /** How often activity is checked. */
  intervalMs: number;
  /** A log file the program writes itself (absolute); absent = the captured stdout/stderr. */
  logFile?: string;
}

/** When a dependency counts as satisfied (SUP-12). */
export type DependencyCondition = 'started' | 'healthy' | 'completed_successfully';

/** One `depends_on` entry. */
export interface Dependency {
  name: string;
  condition: DependencyCondition;
}

/** CFG-2: the config file an app was started from, kept so that reloads of the file reach the app. */
export interface AppSource {
  /** Absolute path of the config file. */
  file: string;
  /** The `--env <profile>` the file was loaded with. */
  envProfile?: string;
  /** `--append-env-to-name`: the apps' names took `-<envProfile>`, at reloads of the file too. */
  appendsEnvToName?: true;
  /** `velos start --watch-config`: the daemon re-reads the file when it changes. */
  isWatched?: boolean;
  /** `velos config set` changes (config keys, as written in a file), applied over the file at each reload. */
  overrides?: Record<string, unknown>;
  /**
   * `velos start <file> --only a,b`: the apps of the file that reloads take (the others are left out,
   * as `pm2 reload ecosystem --only` leaves them); absent, every app of the file.
   */
  only?: string[];
  /**
   * Set by `velos scale`: the instance count the file (with `config set` overrides) gave when the app
   * was scaled at run time. While a reload of the file still gives this count, the app keeps its
   * scaled count; once the file gives another, the file's count applies.
   */
  fileInstances?: number;
}

/**
 * A fully resolved description of one app, as the daemon runs it: camelCase, units in names,
 * every default filled in. Config files and CLI flags are turned into this by `@velos/core/config`.
 */
export interface AppSpec {
  /** Unique name; instances share it and differ by `instance`. */
  name: string;
  /** A script path, a binary name or path, or a shell command line. */
  script: string;
  /** Arguments passed to the script. */
  args: string[];
  /** Absolute working directory. */
  cwd: string;
  /** The complete environment of the process (recorded at `velos start`). */
  env: Record<string, string>;
  /**
   * The app's own part of `env` (a config's `env` with its `env_<profile>` merged over it), kept apart
   * from the inherited environment so that `restart --update-env` replaces only the inherited part;
   * absent in specs saved before it existed (then `--update-env` replaces all of `env`).
   */
  ownEnv?: Record<string, string>;
  /**
   * False when the app takes only its own `env` and a few basics (`KEPT_ENV_KEYS`) from the caller's
   * environment (`inherit_env = false`); absent means the whole environment is inherited.
   */
  inheritEnv?: false;
  /**
   * False when `velos start` registers the app stopped (`autostart = false`, PM2's `autostart: false`):
   * listed, started later by `velos start <name>` or `restart`; absent means it starts at once.
   */
  autostart?: false;
  /**
   * Prefixes of variable names left out of what the app inherits from the caller's environment
   * (`filter_env`, as PM2's), at its start and at `--update-env`; its own `env` is kept whole.
   */
  filterEnv?: string[];
  /**
   * Run the app as this user (a name, resolved by the daemon at each spawn, or a uid): its HOME, USER,
   * LOGNAME and SHELL come from the passwd entry; the daemon must be root (or that user).
   */
  uid?: string | number;
  /** Run the app with this group (a name or a gid); default the `uid` user's primary group. */
  gid?: string | number;
  /** Interpreter to run the script with; `undefined` = by extension, `'none'` = exec directly. */
  interpreter?: string;
  /** Arguments given to the interpreter before the script. */
  interpreterArgs: string[];
  /** Number of fork instances. */
  instances: number;
  /** Namespace, for targeting groups of apps. */
  namespace: string;
  /** Restart when the process exits. */
  autorestart: boolean;
  /** Unstable restarts in a row (runs shorter than `minUptimeMs`) before the app is `errored`. */
  maxRestarts: number;
  /** A run shorter than this is unstable. */
  minUptimeMs: number;
  /** Fixed delay before a restart. */
  restartDelayMs: number;
  /** Initial exponential backoff delay; 0 disables backoff. */
  expBackoffRestartDelayMs: number;
  /** Upper bound of the exponential backoff delay. */
  maxBackoffDelayMs: number;
  /** Exit codes that do not trigger a restart. */
  stopExitCodes: number[];
  /** Grace period between the stop signal and SIGKILL. */
  killTimeoutMs: number;
  /** Signal sent to stop the process tree. */
  stopSignal: NodeJS.Signals;
  /** Format of the log files. */
  logFormat: LogFormat;
  /** Prefix each plain log line with a timestamp in this format (`undefined` = none). */
  logDateFormat?: string;
  /** Write stdout and stderr into one file. */
  mergeLogs: boolean;
  /** Issue #14, PM2's `merge_logs: false`: each instance writes its own files, `-<id>` before the extension. */
  logPerInstance?: boolean;
  /** Explicit stdout log path (absolute); default `logs/<name>-out.log`. */
  outFile?: string;
  /** Explicit stderr log path (absolute); default `logs/<name>-err.log`. */
  errFile?: string;
  /** PM2's `log_file`: every stdout and stderr line is also written to this file (absolute). */
  logFile?: string;
  /** PM2's `log_file: true` (`-l` without a path, issue #14): the combined file is `logs/<name>.log` of the daemon's home. */
  logFileInHome?: boolean;
  /** PM2's `pid_file`: the daemon writes each instance's pid here (`-<instance>` before the extension past one instance). */
  pidFile?: string;
  /**
   * The umask the app's process starts with (`umask = "022"`, `--umask 022`), as systemd's `UMask=` and
   * supervisord's `umask`; absent, it inherits the daemon's.
   */
  umask?: number;
  /** PM2's `instance_var`: the variable holding the instance index (default `NODE_APP_INSTANCE`). */
  instanceVar?: string;
  /** Rotate a log file once it grows past this many bytes (`undefined` = no size rotation). */
  logMaxBytes?: number;
  /** Rotate the log files on this cron expression, e.g. `0 0 * * *` (`undefined` = no time rotation). */
  logRotateCron?: string;
  /** Rotated files kept per log file; older ones are deleted. */
  logRetain: number;
  /** Gzip rotated files. */
  logCompress: boolean;
  /** ENG: the daemon's live log engine watches the app's lines (error counters, anomaly events); absent means on. */
  logEngine?: boolean;
  /** ENG-1: the app's classification rules, tried in order before the built-in ones (`log_rules`). */
  logRules?: LogRuleSpec[];
  /** OBS-6: the app's own Prometheus endpoint (http/https URL), scraped and re-exposed with the app's labels. */
  metricsUrl?: string;
  /** Restart the app when the RSS of its process tree exceeds this many bytes (`undefined` = no limit). */
  maxMemoryBytes?: number;
  /** Restart the app's running processes on this cron expression, e.g. `0 3 * * *` (reason `cron`). */
  cronRestart?: string;
  /** SUP-5: `cluster` shares Node servers' ports between instances; non-Node programs always fork. */
  execMode: ExecMode;
  /** SUP-5: an env variable increased by the instance index (`PORT` 3000 → 3000, 3001…). */
  incrementVar?: string;
  /** SUP-6: an instance is ready only when it calls `process.send('ready')`. */
  waitReady: boolean;
  /** SUP-6: how long a new instance may take to be ready (listening, `ready` or readiness probe). */
  listenTimeoutMs: number;
  /** Issue #14, PM2's `shutdown_with_message`: a fork-mode Node app is stopped by the IPC message 'shutdown', not a signal. */
  shutdownWithMessage?: boolean;
  /** SUP-7: absolute paths watched for changes (restart reason `watch`); absent = no watch. */
  watch?: string[];
  /** SUP-7: globs (relative to `cwd`, or absolute) of paths whose changes are ignored. */
  ignoreWatch: string[];
  /** SUP-7: changes are gathered for this long before one restart. */
  watchDelayMs: number;
  /** SUP-8: a long-running `service`, or a `job` run on `schedule`/`intervalMs`. */
  type: AppType;
  /** SUP-8: cron expression a job runs on. */
  schedule?: string;
  /** SUP-8: period a job runs on (from the end of a run's start; never overlapping). */
  intervalMs?: number;
  /** SUP-8: a job run still going after this long is stopped (its exit is recorded as a timeout). */
  jobTimeoutMs?: number;
  /** SUP-8: job runs kept in the run history. */
  jobHistory: number;
  /** SUP-10: log-inactivity watchdog. */
  watchdog?: WatchdogSpec;
  /** SUP-11: failing liveness restarts the process (reason `unhealthy`). */
  livenessProbe?: ProbeSpec;
  /** SUP-11: readiness gates reload and `depends_on: healthy`. */
  readinessProbe?: ProbeSpec;
  /** SUP-12: apps that must reach a condition before this one starts. */
  dependsOn: Dependency[];
  /** CFG-2: the config file the app came from (absent for apps started from flags). */
  source?: AppSource;
}

/** Defaults applied to every app; PM2-compatible where PM2 has the option. */
export const APP_DEFAULTS = {
  args: [] as string[],
  interpreterArgs: [] as string[],
  instances: 1,
  namespace: 'default',
  autorestart: true,
  maxRestarts: 16,
  minUptimeMs: 1000,
  restartDelayMs: 0,
  expBackoffRestartDelayMs: 0,
  maxBackoffDelayMs: 15_000,
  stopExitCodes: [] as number[],
  killTimeoutMs: 5000,
  stopSignal: 'SIGTERM' as NodeJS.Signals,
  logFormat: 'plain' as LogFormat,
  mergeLogs: false,
  logRetain: 10,
  logCompress: true,
  execMode: 'fork' as ExecMode,
  waitReady: false,
  listenTimeoutMs: 8000,
  ignoreWatch: ['**/node_modules/**', '**/.git/**', '**/*.log'] as string[],
  watchDelayMs: 500,
  type: 'service' as AppType,
  jobHistory: 50,
  dependsOn: [] as Dependency[],
} as const;

/** Defaults inside the nested options (watchdog, probes, `depends_on` entries). */
export const NESTED_DEFAULTS = {
  watchdogTimeoutMs: 60_000,
  watchdogIntervalMs: 5000,
  probeIntervalMs: 10_000,
  probeTimeoutMs: 2000,
  probeFailureThreshold: 3,
  probeSuccessThreshold: 1,
  probeInitialDelayMs: 0,
  dependencyCondition: 'started' as DependencyCondition,
} as const;
