import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import {
  APP_DEFAULTS,
  instanceEnv,
  instancePidFile,
  type ProcessDetail,
  type ProcessStatus,
} from '@velos/core';

/** PM2's statuses, as `pm2 jlist` prints them in `pm2_env.status`. */
export type Pm2Status = 'online' | 'stopping' | 'stopped' | 'launching' | 'errored' | 'waiting restart';

/** One element of `pm2 jlist`, in the shape PM2 documents for its process descriptions. */
export interface Pm2Process {
  pid: number;
  name: string;
  pm_id: number;
  monit: { memory: number; cpu: number };
  pm2_env: Pm2Env;
}

/** The `pm2_env` of a PM2 process description: the fields scripts written for PM2 read. */
export interface Pm2Env {
  name: string;
  namespace: string;
  pm_id: number;
  status: Pm2Status;
  pm_uptime: number;
  created_at: number;
  restart_time: number;
  unstable_restarts: number;
  exec_mode: 'fork_mode' | 'cluster_mode';
  instances: number;
  exec_interpreter: string;
  pm_exec_path: string;
  pm_cwd: string;
  args: string[];
  node_args: string[];
  pm_out_log_path: string;
  pm_err_log_path: string;
  pm_log_path?: string;
  pm_pid_path: string;
  merge_logs: boolean;
  autorestart: boolean;
  /** PM2's `autostart`: false for an app added stopped (`--no-autostart`), true otherwise. */
  autostart: boolean;
  watch: boolean | string[];
  /** Set when the app sets it, as in PM2 (Velos's default list is left out). */
  ignore_watch?: string[];
  log_date_format?: string;
  /** `--time`, as PM2 sets it beside the `log_date_format` of its stamps. */
  time?: true;
  max_restarts: number;
  min_uptime: number;
  restart_delay: number;
  kill_timeout: number;
  /** Set when the app uses the exponential backoff, as in PM2 (ms). */
  exp_backoff_restart_delay?: number;
  /** Set when the app has stop exit codes, as in PM2. */
  stop_exit_codes?: number[];
  max_memory_restart?: number;
  cron_restart?: string;
  /** Set when the app raises a variable by its instance index, as in PM2. */
  increment_var?: string;
  /** Set when the app waits for `process.send('ready')`, as in PM2. */
  wait_ready?: true;
  /** Set when the app changes Velos's default (8000 ms), as in PM2 when given. */
  listen_timeout?: number;
  /** Set when the app is stopped by a `'shutdown'` message, as in PM2. */
  shutdown_with_message?: true;
  exit_code: number | null;
  NODE_APP_INSTANCE: number;
  /** The variable holding the instance index: NODE_APP_INSTANCE, or the app's `instance_var`. */
  instance_var: string;
  env: Record<string, string>;
  version: string;
  node_version: string;
  username: string;
  vizion: false;
  versioning: null;
  axm_monitor: Record<string, never>;
  axm_actions: never[];
  axm_options: Record<string, never>;
  /** What Velos knows beyond PM2's fields: its own status, type and the reason of the last exit. */
  velos: { status: ProcessStatus; type: 'service' | 'job'; lastExitReason: string | null };
}

/** What `toPm2Process` needs besides the process: facts the CLI gathers once for the whole list. */
export interface Pm2Facts {
  home: string;
  /** The app's environment with values (`configGet`); the process's identity variables are added. */
  env: Record<string, string>;
  /** The app's package.json version, or `N/A` as PM2 prints it. */
  version: string;
  nodeVersion: string;
  username: string;
  /** PM2's `pid_file` of the app when it has one (an AppSpec field added with the ecosystem import). */
  pidFile?: string;
  /** How many processes the app has (past one, each writes its own pid file); its instances when absent. */
  processCount?: number;
}

/** Velos statuses in PM2's words: a job waiting for its next run is `stopped` (PM2 has no such state). */
export function toPm2Status(status: ProcessStatus): Pm2Status {
  switch (status) {
    case 'starting':
      return 'launching';
    case 'waiting-restart':
      return 'waiting restart';
    case 'scheduled':
      return 'stopped';
    default:
      return status;
  }
}

/**
 * Maps a Velos process (`velos describe` detail) to PM2's process description (`pm2 jlist`): the
 * documented fields (pm_id, name, pid, monit, pm2_env.status, pm_uptime, restart_time, log and pid
 * paths, env…) filled from Velos's own, with `pid` 0 when not running as PM2 prints it.
 */
export function toPm2Process(detail: ProcessDetail, facts: Pm2Facts): Pm2Process {
  const spec = detail.spec;
  const execPath = pm2ExecPath(detail);
  // what this instance runs with, as velos env shows it: its instance_var, its increment_var raised,
  // and the VELOS_HOME the daemon gives every process
  const env = {
    ...instanceEnv(
      { name: detail.name, env: facts.env, instanceVar: spec.instanceVar, incrementVar: spec.incrementVar },
      detail,
    ),
    VELOS_HOME: facts.home,
  };
  const pm2Env: Pm2Env = {
    name: detail.name,
    namespace: detail.namespace,
    pm_id: detail.id,
    status: toPm2Status(detail.status),
    pm_uptime: detail.startedAt ?? detail.lastStartedAt ?? detail.createdAt,
    created_at: detail.createdAt,
    restart_time: detail.restarts,
    unstable_restarts: detail.unstableRestarts,
    exec_mode: detail.execMode === 'cluster' ? 'cluster_mode' : 'fork_mode',
    instances: spec.instances,
    exec_interpreter: interpreterName(detail, execPath),
    pm_exec_path: execPath,
    pm_cwd: spec.cwd,
    args: [...spec.args],
    node_args: [...spec.interpreterArgs],
    pm_out_log_path: detail.outLogPath,
    pm_err_log_path: detail.errLogPath,
    ...pm2LogPath(detail),
    pm_pid_path: pm2PidPath(detail, facts),
    // PM2's meaning: the instances share their files (no -<id> suffix), as Velos's log_per_instance is not
    merge_logs: spec.logPerInstance !== true,
    autorestart: spec.autorestart,
    autostart: spec.autostart !== false,
    watch: pm2Watch(spec.watch, spec.cwd),
    ...(isDefaultList(spec.ignoreWatch, APP_DEFAULTS.ignoreWatch)
      ? {}
      : { ignore_watch: [...spec.ignoreWatch] }),
    ...pm2DateFormat(spec.logDateFormat),
    max_restarts: spec.maxRestarts,
    min_uptime: spec.minUptimeMs,
    restart_delay: spec.restartDelayMs,
    kill_timeout: spec.killTimeoutMs,
    ...(spec.expBackoffRestartDelayMs > 0
      ? { exp_backoff_restart_delay: spec.expBackoffRestartDelayMs }
      : {}),
    ...(spec.stopExitCodes.length === 0 ? {} : { stop_exit_codes: [...spec.stopExitCodes] }),
    ...(spec.maxMemoryBytes === undefined ? {} : { max_memory_restart: spec.maxMemoryBytes }),
    ...(spec.cronRestart === undefined ? {} : { cron_restart: spec.cronRestart }),
    ...(spec.incrementVar === undefined ? {} : { increment_var: spec.incrementVar }),
    ...(spec.waitReady ? { wait_ready: true as const } : {}),
    ...(spec.listenTimeoutMs === APP_DEFAULTS.listenTimeoutMs
      ? {}
      : { listen_timeout: spec.listenTimeoutMs }),
    ...(spec.shutdownWithMessage === true ? { shutdown_with_message: true as const } : {}),
    exit_code: detail.exitCode,
    NODE_APP_INSTANCE: detail.instance,
    instance_var: spec.instanceVar ?? 'NODE_APP_INSTANCE',
    env,
    version: facts.version,
    node_version: facts.nodeVersion,
    username: facts.username,
    vizion: false,
    versioning: null,
    axm_monitor: {},
    axm_actions: [],
    axm_options: {},
    velos: { status: detail.status, type: detail.type, lastExitReason: detail.lastExitReason },
  };
  return {
    pid: detail.pid ?? 0,
    name: detail.name,
    pm_id: detail.id,
    monit: { memory: detail.memory, cpu: detail.cpu },
    pm2_env: pm2Env,
  };
}

/**
 * PM2's `pm_pid_path`: the file the daemon writes this process's pid to (the app's `pid_file`, with
 * `-<instance>` past one process), else where PM2 would put it under the Velos home.
 */
function pm2PidPath(detail: ProcessDetail, facts: Pm2Facts): string {
  if (facts.pidFile === undefined) return join(facts.home, 'pids', `${detail.name}-${detail.id}.pid`);
  const hasSeveral = detail.spec.instances > 1 || (facts.processCount ?? 1) > 1;
  return instancePidFile(facts.pidFile, detail.instance, hasSeveral);
}

/**
 * PM2's `watch`: `true` for the app's own directory (`--watch` alone, `watch: true`), else the paths
 * as a process file gives them, relative to the app's directory (absolute outside it).
 */
function pm2Watch(watch: readonly string[] | undefined, cwd: string): boolean | string[] {
  if (watch === undefined) return false;
  if (watch.length === 1 && watch[0] === cwd) return true;
  return watch.map((path) => {
    const inside = relative(cwd, path);
    return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? path : inside;
  });
}

/** The moment.js format of the UTC ISO stamps `--time` (`iso`) writes, as PM2 gives its `--time` format. */
const ISO_AS_MOMENT = 'YYYY-MM-DDTHH:mm:ss.SSS[Z]';

/** PM2's `log_date_format` (and `time: true` for `--time`); absent when the app stamps no lines. */
function pm2DateFormat(format: string | undefined): Pick<Pm2Env, 'log_date_format' | 'time'> {
  if (format === undefined) return {};
  if (format.toLowerCase() === 'iso') return { log_date_format: ISO_AS_MOMENT, time: true };
  return { log_date_format: format };
}

function isDefaultList(list: readonly string[], defaults: readonly string[]): boolean {
  return list.length === defaults.length && list.every((item, i) => item === defaults[i]);
}

/**
 * PM2's `pm_exec_path`: the script's absolute path; a program found on `PATH` (`velos start npm`) is
 * the file that runs, not a path under the app's directory; a command line stays as written.
 */
function pm2ExecPath(detail: ProcessDetail): string {
  const { script, cwd } = detail.spec;
  if (script.includes(' ')) return script;
  const { file } = detail.command;
  if (!script.includes('/') && file !== resolve(cwd, script) && basename(file) === script) return file;
  return resolve(cwd, script);
}

/** PM2's `pm_log_path`: the combined `log_file`, or the one file of both streams (`merge_logs` of velos.toml). */
function pm2LogPath(detail: ProcessDetail): { pm_log_path?: string } {
  if (detail.combinedLogPath !== undefined) return { pm_log_path: detail.combinedLogPath };
  return detail.spec.mergeLogs ? { pm_log_path: detail.outLogPath } : {};
}

/** PM2's `exec_interpreter`: `node`, `none` (executed directly), or the program's name (`sh` for a command line). */
function interpreterName(detail: ProcessDetail, execPath: string): string {
  if (detail.spec.interpreter) return detail.spec.interpreter;
  const { file } = detail.command;
  if (file === execPath) return 'none';
  const name = basename(file);
  return /^node(\d+)?$/.test(name) ? 'node' : name;
}
