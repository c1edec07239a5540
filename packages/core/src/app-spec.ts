/** How a captured log file is written. */
export type LogFormat = 'plain' | 'json';

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
  /** Explicit stdout log path (absolute); default `logs/<name>-out.log`. */
  outFile?: string;
  /** Explicit stderr log path (absolute); default `logs/<name>-err.log`. */
  errFile?: string;
  /** Rotate a log file once it grows past this many bytes (`undefined` = no size rotation). */
  logMaxBytes?: number;
  /** Rotate the log files on this cron expression, e.g. `0 0 * * *` (`undefined` = no time rotation). */
  logRotateCron?: string;
  /** Rotated files kept per log file; older ones are deleted. */
  logRetain: number;
  /** Gzip rotated files. */
  logCompress: boolean;
  /** Restart the app when the RSS of its process tree exceeds this many bytes (`undefined` = no limit). */
  maxMemoryBytes?: number;
  /** Restart the app's running processes on this cron expression, e.g. `0 3 * * *` (reason `cron`). */
  cronRestart?: string;
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
} as const;
