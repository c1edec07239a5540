/**
 * The messages between the daemon and a cluster primary, one JSON object per line over the
 * primary's control socket (`run/cluster-<n>.sock`, SUP-13). Every worker is named by `key`, unique
 * per fork request of one primary (an instance has two workers for a moment during a reload).
 */

/**
 * Daemon → primary: fork a worker running `exec` with `env` (the complete environment) for process
 * `id`; its stdout and stderr go into the FIFOs `out` and `err` (null: the worker's output is dropped).
 */
export interface ForkMessage {
  t: 'fork';
  key: number;
  id: number;
  instance: number;
  exec: string;
  args: string[];
  execArgv: string[];
  cwd: string;
  env: Record<string, string>;
  out: string | null;
  err: string | null;
  /** Which FIFO pair of the process the worker writes into (a reload's new worker takes another one). */
  lane: number;
  /**
   * The Node binary the worker runs: the daemon's, so that after `velos update` onto another Node a
   * primary the old daemon started forks on the new one. Absent from a daemon before this field: the
   * primary's own.
   */
  execPath?: string;
  /** The worker's preload (`--import`, a file URL): the daemon's primary script; absent: the primary's own file. */
  preload?: string;
}

/** Daemon → primary: disconnect a worker (its servers stop accepting, in-flight requests finish). */
export interface RetireMessage {
  t: 'retire';
  key: number;
}

/**
 * Daemon → primary: the daemon lets the primary go on purpose; the primary then stops its workers
 * and exits. A connection that closes without it means the daemon died: the workers keep running
 * for the next daemon to take over (SUP-13).
 */
export interface ShutdownMessage {
  t: 'shutdown';
  /** How long a worker has between SIGTERM and SIGKILL: the app's `kill_timeout`; absent from an older daemon: 5 s. */
  graceMs?: number;
}

/** Daemon → primary: send the worker PM2's `'shutdown'` message (issue #14, `shutdown_with_message`). */
export interface ShutdownWorkerMessage {
  t: 'shutdown-worker';
  key: number;
}

/**
 * Daemon → primary: a reload's new worker, held off the shared port while it warms up, passed its probe:
 * the primary tells it (`{velos_admit: true}`) to listen on that port now.
 */
export interface AdmitWorkerMessage {
  t: 'admit';
  key: number;
}

/** Daemon → primary: the worker is now the run of its process (a spawn online, a reload's new worker adopted). */
export interface CurrentMessage {
  t: 'current';
  key: number;
}

/** Daemon → primary: a new daemon took over; the primary answers with `state`. */
export interface HelloMessage {
  t: 'hello';
}

/** What the daemon sends a primary. */
export type ToPrimary =
  | ForkMessage
  | RetireMessage
  | ShutdownMessage
  | ShutdownWorkerMessage
  | CurrentMessage
  | AdmitWorkerMessage
  | HelloMessage;

/** A live worker as the primary knows it (the answer to `hello`). */
export interface WorkerState {
  key: number;
  id: number;
  instance: number;
  pid: number;
  lane: number;
  /** Epoch ms when it was forked. */
  startedAt: number;
  /** True once the daemon said it is its process's run (`current`); false for a reload's candidate or an old worker. */
  isCurrent: boolean;
  isListening: boolean;
  /** The TCP ports it listens on; absent from a primary before this field. */
  ports?: number[];
  isConnected: boolean;
}

/** An app event the worker sent with `process.send({velos_event: …})` (OBS-2). */
export type FromPrimary =
  /** Forked, with its pid; `hasBootReport`: a `booted` follows once its Node runs (absent from an older primary). */
  | { t: 'online'; key: number; pid: number; hasBootReport?: boolean }
  /** The worker's Node is up (node:cluster's 'online'): its program starts now, and with it min_uptime. */
  | { t: 'booted'; key: number; pid: number }
  | { t: 'listening'; key: number; pid: number; address: string }
  | { t: 'ready'; key: number; pid: number }
  /** A reload's new worker opened its probe door: a loopback port that only it serves (`worker-probe-door.ts`). */
  | { t: 'probe-door'; key: number; pid: number; port: number }
  /** Its probe door could not open (`reason`, an errno code): it listens on the shared port, not held. */
  | { t: 'probe-door-failed'; key: number; pid: number; reason: string }
  | { t: 'event'; key: number; pid: number; event: Record<string, unknown> }
  | { t: 'disconnected'; key: number; pid: number }
  | { t: 'exit'; key: number; pid: number; code: number | null; signal: string | null }
  | { t: 'error'; key: number; message: string }
  | {
      t: 'state';
      pid: number;
      workers: WorkerState[];
      /** The primary's Node (`process.execPath`, `process.version`); absent from a primary before these fields. */
      execPath?: string;
      version?: string;
      /** True: it relays a reload's new worker's probe door (`probe-door`); absent from a primary before it. */
      hasProbeDoor?: boolean;
      /** True: it relays `admit` to a reload's new worker held off the shared port; absent from a primary before it. */
      hasAdmit?: boolean;
    };
