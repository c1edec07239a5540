import { execFile } from 'node:child_process';

/** Options of `createServiceNotifier`. */
export interface ServiceNotifierOptions {
  /** Where `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The service's main pid, sent as `MAINPID` (default `process.pid`). */
  pid?: number;
  /** Where failures to notify are reported, one line each. */
  log?: (line: string) => void;
  /** The helper that sends the datagram (default `systemd-notify`, looked up on `env.PATH`). */
  command?: string;
  /** Remove the three variables from `env` so that processes started later do not inherit them. */
  unsetEnvironment?: boolean;
}

/** Tells a service manager (systemd) about the daemon's state; every method is a no-op outside one. */
export interface ServiceNotifier {
  /** True when `NOTIFY_SOCKET` was set. */
  readonly isEnabled: boolean;
  /** Interval of the `WATCHDOG=1` pings (half of `WATCHDOG_USEC`), or null when no watchdog is asked for. */
  readonly watchdogIntervalMs: number | null;
  /** Sends `READY=1` (with `STATUS` when given) and starts the watchdog pings. */
  ready(status?: string): Promise<void>;
  /** Sends `STATUS=<text>`. */
  status(text: string): Promise<void>;
  /** Sends `STOPPING=1` (with `STATUS` when given). */
  stopping(status?: string): Promise<void>;
  /**
   * Sends `EXTEND_TIMEOUT_USEC=<ms × 1000>` (systemd ≥ 236): the current state's timeout (on a stop,
   * `TimeoutStopSec=`) ends no sooner than `ms` from now; a later timeout is kept.
   */
  extendTimeout(ms: number): Promise<void>;
  /** Stops the watchdog pings and resolves once the messages already queued are sent. */
  close(): Promise<void>;
}

/** A `systemd-notify` run that takes longer than this is abandoned (a hung manager must not hang us). */
const SEND_TIMEOUT_MS = 10_000;

/**
 * The sd_notify protocol without native code (SUP-14): Node has no Unix datagram sockets, so each
 * message is sent by running `systemd-notify --pid=<pid> KEY=VALUE…` (`--pid` adds `MAINPID=<pid>`);
 * the unit therefore needs `NotifyAccess=all`. Messages go out one at a time, in order; a missing
 * or failing helper is logged and never thrown.
 * @example const notifier = createServiceNotifier({ log }); await notifier.ready('3 processes');
 */
export function createServiceNotifier(options: ServiceNotifierOptions = {}): ServiceNotifier {
  const env = options.env ?? process.env;
  const pid = options.pid ?? process.pid;
  const log = options.log ?? (() => undefined);
  const command = options.command ?? 'systemd-notify';
  const socket = env.NOTIFY_SOCKET || undefined;
  const watchdogIntervalMs = socket ? watchdogInterval(env, pid) : null;
  const childEnv: NodeJS.ProcessEnv = { ...env };
  if (options.unsetEnvironment) {
    delete env.NOTIFY_SOCKET;
    delete env.WATCHDOG_USEC;
    delete env.WATCHDOG_PID;
  }

  let queue: Promise<void> = Promise.resolve();
  let isMissing = false;
  let isWatchdogFailing = false;
  let watchdog: NodeJS.Timeout | null = null;

  const send = (assignments: string[], isPing = false): Promise<void> => {
    if (!socket) return Promise.resolve();
    queue = queue.then(async () => {
      if (isMissing) return;
      const failure = await run(command, [`--pid=${pid}`, ...assignments], childEnv);
      if (failure === null) {
        isWatchdogFailing = false;
        return;
      }
      if (failure.code === 'ENOENT') {
        isMissing = true;
        log(
          `cannot notify the service manager (NOTIFY_SOCKET=${socket}): ${command} is not on PATH; ` +
            'it comes with systemd (Debian/Ubuntu package "systemd")',
        );
        return;
      }
      if (isPing && isWatchdogFailing) return;
      isWatchdogFailing = isPing;
      log(`${command} ${assignments.join(' ')} failed: ${failure.message}`);
    });
    return queue;
  };

  return {
    isEnabled: socket !== undefined,
    watchdogIntervalMs,
    ready(status) {
      const sent = send(['READY=1', ...statusOf(status)]);
      if (watchdogIntervalMs !== null && watchdog === null) {
        watchdog = setInterval(() => void send(['WATCHDOG=1'], true), watchdogIntervalMs);
        watchdog.unref();
      }
      return sent;
    },
    status: (text) => send(statusOf(text)),
    stopping: (status) => send(['STOPPING=1', ...statusOf(status)]),
    extendTimeout: (ms) => send([`EXTEND_TIMEOUT_USEC=${Math.max(0, Math.ceil(ms)) * 1000}`]),
    close() {
      if (watchdog !== null) clearInterval(watchdog);
      watchdog = null;
      return queue;
    },
  };
}

function statusOf(text: string | undefined): string[] {
  return text ? [`STATUS=${text.replace(/\s*\n\s*/g, ' ')}`] : [];
}

// `WATCHDOG_PID`, when set, names the process the watchdog is meant for: another one must not ping.
function watchdogInterval(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

interface RunFailure {
  code?: string;
  message: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunFailure | null> {
  return new Promise((resolveRun) => {
    execFile(file, args, { env, timeout: SEND_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return resolveRun(null);
      const code = typeof error.code === 'string' ? error.code : undefined;
      const detail = String(stderr).trim().split('\n')[0] || error.message;
      resolveRun({ ...(code === undefined ? {} : { code }), message: detail });
    });
  });
}
