import type { AppSpec } from './app-spec.js';

/** Life-cycle states of a supervised process. */
export type ProcessStatus = 'starting' | 'online' | 'stopping' | 'stopped' | 'waiting-restart' | 'errored';

/** Why a process exited or was restarted. */
export type ExitReason =
  | 'crash'
  | 'exit'
  | 'user'
  | 'memory'
  | 'watch'
  | 'cron'
  | 'inactivity'
  | 'unhealthy'
  | 'reload'
  | 'spawn-error';

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
  exitCode: number | null;
  signal: string | null;
  /** Reason of the last exit or restart, if any. */
  lastExitReason: ExitReason | null;
  /** Epoch ms of the next restart when `waiting-restart`. */
  restartAt: number | null;
}

/** Everything `velos describe` shows: the row, the spec (env values omitted) and log facts. */
export interface ProcessDetail extends ProcessInfo {
  spec: Omit<AppSpec, 'env'> & { envKeys: string[] };
  command: { file: string; args: string[]; shell: boolean };
  outLogPath: string;
  errLogPath: string;
  cpuPeak: number;
  memoryPeak: number;
  logLines: { out: number; err: number };
  /** Lines dropped because a writer outran the disk (never silently). */
  logDropped: number;
}

/** One captured log line. */
export interface LogLine {
  /** Epoch ms when the daemon read the line. */
  ts: number;
  stream: 'out' | 'err';
  id: number;
  name: string;
  pid: number | null;
  line: string;
}
