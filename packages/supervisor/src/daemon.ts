import { chmodSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { ErrorCodes, VELOS_VERSION, VelosError } from '@velos/core';
import { createDispatcher } from './command-handlers.js';
import { acquireDaemonLock } from './daemon-lock.js';
import { createDaemonLog } from './daemon-log.js';
import { ipcLimitsFromEnv } from './ipc-limits.js';
import { type IpcServer, startIpcServer } from './ipc-server.js';
import { createServiceNotifier } from './service-notify.js';
import { createSupervisor } from './supervisor.js';

/** Options of `runDaemon`. */
export interface DaemonOptions {
  /** The Velos home (`$VELOS_HOME`, resolved by the caller). */
  home: string;
  /** Also write the daemon's log lines to stderr. */
  foreground?: boolean;
}

/** Socket file name inside the home. */
export const SOCKET_FILE = 'velos.sock';
/** Pid file name inside the home. */
export const PID_FILE = 'velos.pid';
/** The daemon's own log file inside the home. */
export const DAEMON_LOG_FILE = 'daemon.log';

/** Longest Unix socket path that fits `sockaddr_un` on every supported platform. */
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * Runs the Velos daemon in this process (SUP-1): one instance per home (a second one prints a
 * `DAEMON_RUNNING` line on stderr and resolves at once, leaving the exit status 0), restores the
 * saved state, serves the socket and resolves after `kill` or SIGTERM/SIGINT has saved the state,
 * stopped every child and removed the socket, pid and lock files; the process then exits 0. Under
 * systemd (`NOTIFY_SOCKET` set) it sends READY=1 once listening, STOPPING=1 on shutdown, and
 * WATCHDOG=1 pings when `WATCHDOG_USEC` asks for them (see `createServiceNotifier`).
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
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  mkdirSync(join(home, 'logs'), { recursive: true, mode: 0o700 });
  const log = createDaemonLog(join(home, DAEMON_LOG_FILE), options.foreground ? process.stderr : undefined);

  const lock = await acquireDaemonLock(home);
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
  writeFileSync(pidPath, `${process.pid}\n`, { mode: 0o600 });
  // Read (and removed from the env) before any app is spawned, so apps cannot talk to systemd as us.
  const notifier = createServiceNotifier({ log, unsetEnvironment: true });
  const supervisor = createSupervisor({ home, log });
  let server: IpcServer | null = null;
  let stopping: Promise<void> | null = null;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolveFinished) => {
    finish = resolveFinished;
  });

  const shutdown = (reason: string, isKilled: boolean): Promise<void> => {
    stopping ??= (async () => {
      log(`shutting down (${reason})`);
      void notifier.stopping(`stopping (${reason})`);
      try {
        if (!isKilled) await supervisor.kill();
        await server?.close();
        await supervisor.close();
      } catch (error) {
        log(`shutdown: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      removeQuietly(socketPath);
      if (readPid(pidPath) === process.pid) removeQuietly(pidPath);
      lock.release();
      await notifier.close();
      log('daemon stopped');
      log.close();
      finish();
      // anything still holding the event loop must not keep a stopped daemon alive
      setTimeout(() => process.exit(0), 1000).unref();
    })();
    return stopping;
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM', false));
  process.on('SIGINT', () => void shutdown('SIGINT', false));
  process.on('SIGHUP', () => log('SIGHUP ignored'));
  process.on('uncaughtException', (error) => log(`uncaught exception: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${String(reason)}`));

  log(`daemon ${VELOS_VERSION} starting, pid ${process.pid}, home ${home}`);
  let restored = 0;
  try {
    restored = (await supervisor.restore()).length;
  } catch (error) {
    log(`restoring the saved state failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const dispatcher = createDispatcher({ supervisor, onKill: () => void shutdown('kill command', true) });
  try {
    server = await startIpcServer({
      socketPath,
      dispatcher,
      log,
      limits: ipcLimitsFromEnv(process.env, log),
    });
  } catch (error) {
    log(`cannot listen on ${socketPath}: ${error instanceof Error ? error.message : String(error)}`);
    await supervisor.close();
    removeQuietly(pidPath);
    lock.release();
    log.close();
    throw new VelosError(ErrorCodes.DAEMON_START_FAILED, `cannot listen on ${socketPath}`, { cause: error });
  }
  log(`listening on ${socketPath}`);
  if (stopping) await server.close();
  else if (notifier.isEnabled) {
    const watchdog =
      notifier.watchdogIntervalMs === null ? '' : `, watchdog every ${notifier.watchdogIntervalMs} ms`;
    log(`telling the service manager READY=1${watchdog}`);
    void notifier.ready(
      `${restored} ${restored === 1 ? 'process' : 'processes'} restored, listening on ${socketPath}`,
    );
  }
  return finished;
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
