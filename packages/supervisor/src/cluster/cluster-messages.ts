/**
 * The JSON messages between the daemon and a cluster primary, over the primary's IPC channel.
 * Every worker is named by `key`, unique per fork request of one primary (an instance has two
 * workers for a moment during a reload).
 */

/** Daemon → primary: fork a worker running `exec` with `env` (the complete environment). */
export interface ForkMessage {
  t: 'fork';
  key: number;
  instance: number;
  exec: string;
  args: string[];
  execArgv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Daemon → primary: disconnect a worker (its servers stop accepting, in-flight requests finish). */
export interface RetireMessage {
  t: 'retire';
  key: number;
}

/**
 * Daemon → primary: the daemon is about to disconnect on purpose; the primary then stops its workers
 * and exits. A disconnect without it means the daemon died: the workers keep running (SUP-13).
 */
export interface ShutdownMessage {
  t: 'shutdown';
}

/** Daemon → primary: send the worker PM2's `'shutdown'` message (issue #14, `shutdown_with_message`). */
export interface ShutdownWorkerMessage {
  t: 'shutdown-worker';
  key: number;
}

/** What the daemon sends a primary. */
export type ToPrimary = ForkMessage | RetireMessage | ShutdownMessage | ShutdownWorkerMessage;

/**
 * What a primary sends the daemon; `stdio` carries the worker's pipe as the message's handle, `event`
 * an app event the worker sent with `process.send({velos_event: …})` (OBS-2).
 */
export type FromPrimary =
  | { t: 'online'; key: number; pid: number }
  | { t: 'stdio'; key: number; pid: number; stream: 'out' | 'err' }
  | { t: 'listening'; key: number; pid: number; address: string }
  | { t: 'ready'; key: number; pid: number }
  | { t: 'event'; key: number; pid: number; event: Record<string, unknown> }
  | { t: 'disconnected'; key: number; pid: number }
  | { t: 'exit'; key: number; pid: number; code: number | null; signal: string | null }
  | { t: 'error'; key: number; message: string };
