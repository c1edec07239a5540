import { mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { ErrorCodes, HOME_LAYOUT, prepareHome, VELOS_VERSION, VelosError, writeFreshFile } from '@velos/core';
import { createDispatcher } from './command-handlers.js';
import { createExtensionRunner, type DaemonExtension, type ExtensionChange } from './daemon-extensions.js';
import { acquireDaemonLock } from './daemon-lock.js';
import { createDaemonLog, type DaemonLog } from './daemon-log.js';
import { currentUmask, daemonUmaskNote } from './daemon-umask.js';
import { healthIntervalFromEnv } from './health/health-control.js';
import { ipcHealthCheck } from './health/ipc-health.js';
import { ipcLimitsFromEnv } from './ipc-limits.js';
import { type IpcServer, startIpcServer } from './ipc-server.js';
import { holdLogAnswersWhile } from './log-queries.js';
import { createIdleCollection } from './memory-release.js';
import { createRestoreGate, restoreFailedError } from './restore-gate.js';
import { createServiceNotifier } from './service-notify.js';
import { createSupervisor } from './supervisor.js';
import { validatedControl } from './validated-control.js';

/** Options of `runDaemon`. */
export interface DaemonOptions {
  /** The Velos home (`$VELOS_HOME`, resolved by the caller). */
  home: string;
  /** Also write the daemon's log lines to stderr. */
  foreground?: boolean;
  /** A `velos start --no-daemon` run: no saved state restored at start nor saved at stop (see `SupervisorOptions.isEphemeral`). */
  isEphemeral?: boolean;
  /** What runs beside the supervisor (the metrics endpoint, the OTLP export), configured by config.toml. */
  extensions?: readonly DaemonExtension[];
}

/** Socket file name inside the home. */
export const SOCKET_FILE = HOME_LAYOUT.socket;
/** Pid file name inside the home. */
export const PID_FILE = HOME_LAYOUT.pid;
/** The daemon's own log file inside the home. */
export const DAEMON_LOG_FILE = HOME_LAYOUT.daemonLog;

/** Exit status of a daemon that ended on an uncaught exception (EX_SOFTWARE). */
export const FATAL_EXIT_CODE = 70;

/** Longest Unix socket path that fits `sockaddr_un` on every supported platform. */
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * Runs the Velos daemon in this process (SUP-1): one instance per home (a second one prints a
 * `DAEMON_RUNNING` line on stderr and resolves at once, leaving the exit status 0). It refuses an
 * unsafe home (`UNSAFE_HOME`), listens first and then restores the saved state (meanwhile `ping`
 * answers with `restoring: true` and other commands wait), and resolves after `kill` or
 * SIGTERM/SIGINT has saved the state, stopped every child and removed the socket, pid and lock
 * files; the process then exits 0. An uncaught exception is written to `daemon.log` and ends the
 * daemon at once with `FATAL_EXIT_CODE`, its apps left to the next daemon (SUP-13). Under systemd
 * (`NOTIFY_SOCKET` set) it sends READY=1 once restored, STOPPING=1 on shutdown, EXTEND_TIMEOUT_USEC
 * as it stops every app (their `depends_on` waves may outlast `TimeoutStopSec=`), and WATCHDOG=1
 * pings when `WATCHDOG_USEC` asks for them (see `createServiceNotifier`).
 * @example await runDaemon({ home: join(homedir(), '.velos') });
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const home = resolve(options.home);
  const socketPath = join(home, SOCKET_FILE);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new VelosError(
      ErrorCodes.DAEMON_START_FAILED,
      `the socket path ${socketPath} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter VELOS_HOME`,
    );
  }
  prepareHome(home);
  mkdirSync(join(home, HOME_LAYOUT.logs), { recursive: true, mode: 0o700 });
  const logPath = join(home, DAEMON_LOG_FILE);
  const log = createDaemonLog(logPath, { mirror: options.foreground ? process.stderr : undefined });

  const lock = await acquireDaemonLock(home).catch((error: unknown) => {
    log(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    log.close();
    throw error;
  });
  let holder: string | null = lock.isAcquired ? null : `pid ${lock.pid}`;
  if (lock.isAcquired && (await isSocketAnswering(socketPath))) {
    lock.release();
    holder = 'answering on its socket';
  }
  if (!lock.isAcquired || holder !== null) {
    const message = `a Velos daemon (${holder}) is already running for ${home}`;
    log(`${ErrorCodes.DAEMON_RUNNING}: ${message}; this one (pid ${process.pid}) exits`);
    log.close();
    process.stderr.write(`velos daemon: ${ErrorCodes.DAEMON_RUNNING}: ${message}\n`);
    return;
  }

  removeQuietly(socketPath);
  const pidPath = join(home, PID_FILE);
  writePidFile(pidPath);
  const removeFiles = (): void => {
    removeQuietly(socketPath);
    if (readPid(pidPath) === process.pid) removeQuietly(pidPath);
    lock.release();
  };
  endOnUncaughtException(log, removeFiles);
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${String(reason)}`));

  // Read (and removed from the env) before any app is spawned, so apps cannot talk to systemd as us.
  const notifier = createServiceNotifier({ log, unsetEnvironment: true });
  const extensions = createExtensionRunner(options.extensions ?? [], log);
  let applyExtensions = async (): Promise<ExtensionChange[]> => [];
  const supervisor = createSupervisor({
    home,
    log,
    onDaemonConfig: () => applyExtensions(),
    // `depends_on` stops go in waves: TimeoutStopSec= alone could SIGKILL us before the last one
    onStopAll: (budgetMs) => void notifier.extendTimeout(budgetMs),
    isEphemeral: options.isEphemeral === true,
  });
  let server: IpcServer | null = null;
  let stopping: Promise<void> | null = null;
  let restoreError: unknown = null;
  let isRestored = false;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolveFinished) => {
    finish = resolveFinished;
  });

  const gate = createRestoreGate(
    createDispatcher({
      control: supervisor,
      onAnswered: (cmd) => {
        if (cmd === 'kill') void shutdown('kill command', true);
      },
    }),
  );
  const shutdown = (reason: string, isKilled: boolean): Promise<void> => {
    stopping ??= (async () => {
      log(`shutting down (${reason})`);
      supervisor.bus.publish({
        kind: 'daemon.stopping',
        severity: 'info',
        message: `daemon stopping (${reason})`,
        fields: { pid: process.pid, reason },
      });
      void notifier.stopping(`stopping (${reason})`);
      // saving before the restore is done would write a partial table over state.json
      await gate.settled;
      try {
        if (!isRestored) log('not saving the state: the restore did not complete');
        else if (!isKilled) await supervisor.kill();
        await extensions.close();
        await server?.close();
        await supervisor.close();
      } catch (error) {
        log(`shutdown: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      removeFiles();
      await notifier.close();
      log('daemon stopped');
      log.close();
      finish();
      // anything still holding the event loop must not keep a stopped daemon alive
      setTimeout(() => process.exit(restoreError === null ? 0 : 1), 1000).unref();
    })();
    return stopping;
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM', false));
  process.on('SIGINT', () => void shutdown('SIGINT', false));
  // CFG-2: SIGHUP re-reads config.toml and the linked config files (validated, applied, rolled back)
  process.on('SIGHUP', () => {
    log('SIGHUP: reloading the configuration');
    if (isRestored && !stopping) void supervisor.config.reloadAll().catch((error) => log(`SIGHUP: ${error}`));
  });

  log(`daemon ${VELOS_VERSION} starting, pid ${process.pid}, home ${home}`);
  // apps inherit the daemon's umask: one under 000 makes their files world-writable (Windows has none)
  const umaskNote = process.platform === 'win32' ? null : daemonUmaskNote(currentUmask());
  if (umaskNote !== null) log(`warning: ${umaskNote}`);
  const idleCollection = createIdleCollection();
  try {
    server = await startIpcServer({
      socketPath,
      dispatcher: gate.dispatcher,
      log,
      limits: ipcLimitsFromEnv(process.env, log),
      onAnswered: (cmd, outcome, seconds) => {
        supervisor.recordIpcRequest(cmd, outcome, seconds);
        idleCollection.touch();
      },
    });
  } catch (error) {
    log(`cannot listen on ${socketPath}: ${error instanceof Error ? error.message : String(error)}`);
    gate.fail(new VelosError(ErrorCodes.DAEMON_START_FAILED, `cannot listen on ${socketPath}`));
    await supervisor.close();
    removeFiles();
    log.close();
    throw new VelosError(ErrorCodes.DAEMON_START_FAILED, `cannot listen on ${socketPath}`, { cause: error });
  }
  const listening = server;
  // answers that clients leave unread hold new `logs` answers back (issue #8: bounded memory)
  holdLogAnswersWhile({ isFull: () => listening.isOutputFull });
  log(`listening on ${socketPath}`);
  // OBS-4: self-health of a running daemon (its IPC server is one component)
  supervisor.registerHealthCheck(
    'ipc',
    ipcHealthCheck(() => listening.stats()),
  );
  supervisor.watchHealth(healthIntervalFromEnv(process.env));
  supervisor.bus.publish({
    kind: 'daemon.started',
    severity: 'info',
    message: `daemon ${VELOS_VERSION} started, pid ${process.pid}`,
    fields: { pid: process.pid, version: VELOS_VERSION },
  });

  let restored = 0;
  try {
    restored = (await supervisor.restore()).length;
    isRestored = true;
    gate.open();
    const control = validatedControl(supervisor);
    applyExtensions = () =>
      extensions.applyAll({ control, home, log, config: supervisor.config.daemonConfig() });
    await supervisor.config.init();
    // config.toml's alert rules are in: firing alerts saved for rules that are gone are dropped
    await supervisor.alerting.endRestore();
    // init applied them when it read a config.toml; without one they still run (OTLP from the environment)
    const extended = supervisor.config.daemonConfig() === null ? applyExtensions() : Promise.resolve();
    // a slow start (restore, loading the API) is not an unhealthy event loop for the next 10 s
    void extended.then(supervisor.endStartup, supervisor.endStartup);
  } catch (error) {
    restoreError = error;
    log(
      `restoring the saved state failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    gate.fail(restoreFailedError(error, logPath));
    void shutdown('the restore failed', false);
  }
  idleCollection.touch();
  if (!stopping && notifier.isEnabled) {
    const watchdog =
      notifier.watchdogIntervalMs === null ? '' : `, watchdog every ${notifier.watchdogIntervalMs} ms`;
    log(`telling the service manager READY=1${watchdog}`);
    void notifier.ready(
      `${restored} ${restored === 1 ? 'process' : 'processes'} restored, listening on ${socketPath}`,
    );
  }
  await finished;
  if (restoreError !== null) throw restoreFailedError(restoreError, logPath);
}

/**
 * After an uncaught exception the daemon's state is unknown: the error is written to `daemon.log`
 * (synchronously) and the process exits at once without saving or stopping its apps; they keep
 * running and the next daemon re-adopts them from `run/live.json` (SUP-13), as after a crash.
 */
function endOnUncaughtException(log: DaemonLog, removeFiles: () => void): void {
  process.on('uncaughtException', (error) => {
    try {
      log(
        `fatal: uncaught exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      log(
        `fatal: the daemon exits (code ${FATAL_EXIT_CODE}); its apps keep running for the next daemon to re-adopt`,
      );
      log.close();
      removeFiles();
    } finally {
      process.exit(FATAL_EXIT_CODE);
    }
  });
}

/** Writes our pid to a fresh `velos.pid` (we hold the lock: an old one is stale, a planted link is removed, never followed). */
function writePidFile(pidPath: string): void {
  writeFreshFile(pidPath, `${process.pid}\n`);
}

/** True when something accepts connections on the socket (another daemon). */
function isSocketAnswering(socketPath: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect(socketPath);
    const done = (isAnswering: boolean): void => {
      socket.destroy();
      resolveAnswer(isAnswering);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

function readPid(path: string): number | null {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return null;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}
