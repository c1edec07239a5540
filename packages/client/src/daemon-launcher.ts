import type { ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  APPEND_NO_FOLLOW,
  ErrorCodes,
  openNoFollow,
  type PingResult,
  prepareHome,
  VelosError,
  withDaemonAllocatorEnv,
  withDeferredCa,
} from '@velos/core';
import { Connection } from './connection.js';
import { daemonLogPath, socketPath } from './paths.js';

/** How to start a daemon when none is running: `node [...nodeFlags] <entry> daemon`, detached. */
export interface DaemonLauncher {
  /** Script that runs the daemon when given the `daemon` argument (the velos CLI entry). */
  entry: string;
  /** Node.js flags placed before the entry, e.g. `process.execArgv`. */
  nodeFlags?: string[];
  /** How long to wait for a new daemon to answer `ping`; default 10 000. */
  startTimeoutMs?: number;
  /** Called with the `ping` answer of a daemon this launcher started (e.g. to show its start-up warnings). */
  onStarted?: (daemon: PingResult) => void;
}

/** What `ensureDaemon` found: whether it had to start the daemon, and the daemon's `ping` answer. */
export interface EnsureDaemonResult {
  started: boolean;
  daemon: PingResult;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
// After a spawned daemon exits with a failure, give a racing daemon this long to appear before giving up.
const FAILED_EXIT_GRACE_MS = 3000;
const STARTABLE_ERRORS = new Set(['ENOENT', 'ECONNREFUSED']);
// How often a started daemon that is still restoring its saved state is asked whether it is done.
const RESTORE_POLL_MS = 100;

/**
 * Makes sure a daemon serves `home`, starting one with `launcher` if none is listening. Before it
 * starts one, the home is checked (`prepareHome`: `UNSAFE_HOME` when another user owns it or others
 * can write it); the daemon's stdout and stderr go to `daemon.log`, so a fatal error of V8 lands there.
 * @example
 * const { started, daemon } = await ensureDaemon('/home/me/.velos', { entry: '/usr/lib/velos/dist/daemon.cjs' });
 */
export async function ensureDaemon(home: string, launcher: DaemonLauncher): Promise<EnsureDaemonResult> {
  const { connection, started } = await connectDaemon(home, launcher);
  try {
    const daemon = (await connection.request('ping', {})) as PingResult;
    return { started, daemon };
  } finally {
    await connection.close();
  }
}

/** Opens a connection to the daemon of `home`; with a launcher, starts the daemon when nobody listens. */
export async function connectDaemon(
  home: string,
  launcher: DaemonLauncher | false,
): Promise<{ connection: Connection; started: boolean }> {
  const path = socketPath(home);
  try {
    return { connection: await Connection.open(path), started: false };
  } catch (error) {
    if (!launcher || !isStartable(error)) throw error;
  }
  return { connection: await startDaemon(home, launcher), started: true };
}

async function startDaemon(home: string, launcher: DaemonLauncher): Promise<Connection> {
  const timeoutMs = launcher.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let giveUpAt = deadline;
  let exitNote = '';
  const { child, logOffset } = await spawnDaemon(home, launcher);
  child.once('exit', (code, signal) => {
    // A clean exit is no failure (e.g. a daemon that lost the lock to a racing one): poll on to the deadline.
    if (code === 0) return;
    const why = lastStartError(daemonLogPath(home), logOffset);
    const how = signal ? `it was killed by ${signal}` : `it exited with code ${code}`;
    exitNote = why ? ` (${how}: ${why})` : ` (${how})`;
    giveUpAt = Math.min(deadline, Date.now() + FAILED_EXIT_GRACE_MS);
  });
  child.once('error', (error) => {
    exitNote = ` (it could not be spawned: ${error.message})`;
    giveUpAt = Date.now();
  });

  const path = socketPath(home);
  let lastError: unknown;
  let pauseMs = 20;
  for (;;) {
    try {
      const [connection, daemon] = await connectAndPing(path, Math.max(500, giveUpAt - Date.now()));
      // it listens before it restores: its start-up warnings are complete once the restore is done
      launcher.onStarted?.(daemon.restoring ? await waitRestored(connection) : daemon);
      return connection;
    } catch (error) {
      lastError = error;
    }
    const left = giveUpAt - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(pauseMs, left));
    pauseMs = Math.min(pauseMs * 2, 200);
  }
  // a daemon that exited did not take the whole timeout: saying "within 10 s" would mislead
  const what = exitNote ? `did not start${exitNote}` : `did not start within ${timeoutMs / 1000} s`;
  throw new VelosError(
    ErrorCodes.DAEMON_START_FAILED,
    `the Velos daemon ${what}; see ${daemonLogPath(home)}`,
    {
      cause: lastError,
    },
  );
}

// child_process is loaded only here: a client that finds its daemon running never pays for it.
async function spawnDaemon(
  home: string,
  launcher: DaemonLauncher,
): Promise<{ child: ChildProcess; logOffset: number }> {
  prepareHome(home);
  const { spawn } = await import('node:child_process');
  const logFd = openNoFollow(daemonLogPath(home), APPEND_NO_FOLLOW, 0o600, true);
  try {
    const logOffset = fstatSync(logFd).size;
    const child = spawn(process.execPath, [...(launcher.nodeFlags ?? []), launcher.entry, 'daemon'], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: withDeferredCa(withDaemonAllocatorEnv({ ...process.env, VELOS_HOME: home })),
    });
    child.unref();
    return { child, logOffset };
  } finally {
    closeSync(logFd);
  }
}

/** Asks a daemon that is restoring its saved state until it is done; returns its last `ping` answer. */
async function waitRestored(connection: Connection): Promise<PingResult> {
  try {
    for (;;) {
      await sleep(RESTORE_POLL_MS);
      const daemon = (await connection.request('ping', {})) as PingResult;
      if (!daemon.restoring) return daemon;
    }
  } catch (error) {
    await connection.close();
    throw error;
  }
}

async function connectAndPing(path: string, timeoutMs: number): Promise<[Connection, PingResult]> {
  const connection = await Connection.open(path);
  try {
    const daemon = (await connection.request('ping', {}, timeoutMs)) as PingResult;
    return [connection, daemon];
  } catch (error) {
    await connection.close();
    throw error;
  }
}

function isStartable(error: unknown): boolean {
  const code = (error as { cause?: NodeJS.ErrnoException }).cause?.code;
  return code !== undefined && STARTABLE_ERRORS.has(code);
}

/** The most a failed start's reason is looked for in: the end of what it wrote to `daemon.log`. */
const START_ERROR_TAIL_BYTES = 8192;

/**
 * Why a daemon that exited could not start, from what was appended to `daemon.log` since `offset`:
 * its `cannot start: …` line, else its last line (`velos: …`), without the time and pid; null when none.
 */
function lastStartError(logPath: string, offset: number): string | null {
  let text: string;
  try {
    const fd = openSync(logPath, 'r');
    try {
      const end = fstatSync(fd).size;
      const from = Math.max(offset, end - START_ERROR_TAIL_BYTES);
      const buffer = Buffer.alloc(Math.max(0, end - from));
      text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, from)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const lines = text
    .split('\n')
    .map((line) =>
      line
        .replace(/^\S+ \[\d+\] /, '')
        .replace(/^velos: /, '')
        .trim(),
    )
    .filter(Boolean);
  return lines.findLast((line) => line.startsWith('cannot start: ')) ?? lines.at(-1) ?? null;
}
