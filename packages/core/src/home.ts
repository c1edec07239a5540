import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, VelosError } from './errors.js';

/** The files and directories of a Velos home, by role (the one definition of the layout). */
export const HOME_LAYOUT = {
  socket: 'velos.sock',
  pid: 'velos.pid',
  lock: 'velos.lock',
  daemonLog: 'daemon.log',
  logs: 'logs',
  run: 'run',
  /** The live table a running daemon keeps; there while no daemon runs, it was left by one that died (SUP-13). */
  liveState: 'run/live.json',
  /** Written by `velos update` before it ends the daemon: `{"pid": <the daemon replaced on purpose>}`. */
  handover: 'run/handover.json',
} as const;

/**
 * The Velos home of an environment: `$VELOS_HOME`, or `~/.velos` when it is unset or empty. A relative
 * `$VELOS_HOME` throws `INVALID_ARGUMENT` (exit 2) naming the absolute path meant, as systemd refuses a
 * relative path: taken from the current folder, each folder a command ran in had its own daemon.
 * @example resolveHome(process.env); // '/home/me/.velos'
 */
export function resolveHome(env: NodeJS.ProcessEnv): string {
  const home = env.VELOS_HOME;
  if (home && !isAbsolute(home)) {
    // a quoted "~/.velos" is not expanded by the shell: it meant the user's home
    const meant = home === '~' || home.startsWith('~/') ? join(homedir(), home.slice(1)) : resolve(home);
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `VELOS_HOME=${home} is a relative path (each folder would have its own daemon); set it to an absolute one: VELOS_HOME=${meant}`,
      { data: { exitCode: 2 } },
    );
  }
  return resolve(home || resolve(homedir(), '.velos'));
}

/**
 * Mode of a directory Velos creates for app logs outside the home (`out_file`, `error_file`,
 * `log_file`, `watchdog.log_file`): owner and group only, as the 0640 logs in it, whatever the umask.
 */
export const LOG_DIR_MODE = 0o750;

/** Flags that append to a file, creating it, and refuse a symbolic link in its place (ELOOP). */
export const APPEND_NO_FOLLOW =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** Flags that create a new file and fail when anything (a symbolic link included) already has its name. */
export const CREATE_EXCLUSIVE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

const IS_POSIX = process.platform !== 'win32';

/**
 * Makes `home` ready for a daemon: a missing home is created (0700); an existing one must be a
 * directory of the current user that neither group nor others can write (it is then tightened to
 * 0700), else this throws `UNSAFE_HOME` with the path and the fix.
 * @example prepareHome('/home/me/.velos');
 */
export function prepareHome(home: string): void {
  try {
    makeDirectories(home, 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new VelosError(
        ErrorCodes.UNSAFE_HOME,
        `cannot create the Velos home ${home}: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  const mode = checkHome(home);
  if (IS_POSIX && (mode & 0o077) !== 0) chmodSync(home, 0o700);
}

/**
 * `mkdir -p` (each directory made with `mode`, less the umask; a file in the way is EEXIST): Node's own recursive mkdirSync never
 * returns for a path the kernel refuses with ENOENT although its parent exists (`/proc/nope`, on
 * Node 20 and 24: a CLI spun at 25 % CPU); this one throws that ENOENT.
 * @example makeDirectories('/srv/out/units');
 */
export function makeDirectories(path: string, mode = 0o777): void {
  try {
    mkdirSync(path, { mode });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // as Node's: a directory that is there is made; anything else of that name is EEXIST
    if (code === 'EEXIST' && statSync(path, { throwIfNoEntry: false })?.isDirectory()) return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw error;
    makeDirectories(parent, mode);
    mkdirSync(path, { mode });
  }
}

/**
 * Checks that `home` is safe to keep a daemon's files in (see `prepareHome`) and returns its mode;
 * throws `UNSAFE_HOME` naming the path and the fix.
 */
export function checkHome(home: string): number {
  const stat = statSync(home, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    throw new VelosError(
      ErrorCodes.UNSAFE_HOME,
      `the Velos home ${home} is not a directory; set VELOS_HOME to one`,
    );
  }
  const uid = process.getuid?.();
  if (!IS_POSIX || uid === undefined) return stat.mode;
  const link = lstatSync(home);
  if (link.isSymbolicLink() && link.uid !== uid && link.uid !== 0) {
    throw unsafe(home, `is a symbolic link owned by uid ${link.uid}, not by you (uid ${uid})`, 'replace it');
  }
  if (stat.uid !== uid) {
    throw unsafe(
      home,
      `is owned by uid ${stat.uid}, not by you (uid ${uid})`,
      'set VELOS_HOME to a directory of your own',
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    const who = (stat.mode & 0o002) !== 0 ? 'others' : 'its group';
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw unsafe(home, `is writable by ${who} (mode ${mode})`, `run chmod 700 ${home}`);
  }
  return stat.mode;
}

/**
 * Opens `path` with `flags` (`APPEND_NO_FOLLOW`, `CREATE_EXCLUSIVE`…) and returns the descriptor; a
 * symbolic link planted at `path` is refused with an `IO_ERROR` naming it, and with `isRegularOnly`
 * so is anything but a regular file (a FIFO would block the open).
 */
export function openNoFollow(path: string, flags: number, mode = 0o600, isRegularOnly = false): number {
  let fd: number;
  try {
    fd = openSync(path, isRegularOnly ? flags | constants.O_NONBLOCK : flags, mode);
  } catch (error) {
    // a FIFO without a reader, opened without blocking
    if (isRegularOnly && (error as NodeJS.ErrnoException).code === 'ENXIO') throw notRegular(path);
    throw noFollowError(path, error);
  }
  if (isRegularOnly && !fstatSync(fd).isFile()) {
    closeSync(fd);
    throw notRegular(path);
  }
  return fd;
}

/**
 * Creates `path` afresh holding `text` (mode 0600): whatever was there, a planted symbolic link
 * included, is removed first and never written through; with `isSynced` the file is fsynced.
 */
export function writeFreshFile(path: string, text: string, isSynced = false): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing there
  }
  const fd = openNoFollow(path, CREATE_EXCLUSIVE);
  try {
    writeSync(fd, text);
    if (isSynced) fsyncSync(fd);
  } catch (error) {
    // a full disk or quota: no empty or partial file is left behind (the lock's velos.lock.<pid>)
    closeSync(fd);
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
    throw error;
  }
  closeSync(fd);
}

/** The error to report for a failed no-follow open: a clear `IO_ERROR` for a symbolic link, else `error`. */
export function noFollowError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  // Linux and macOS say ELOOP for O_NOFOLLOW on a link, FreeBSD says EMLINK
  if (code === 'ELOOP' || code === 'EMLINK') {
    return new VelosError(
      ErrorCodes.IO_ERROR,
      `refusing to write ${path}: it is a symbolic link (Velos never writes through one); remove it`,
      { cause: error },
    );
  }
  if (code === 'EEXIST') {
    return new VelosError(ErrorCodes.IO_ERROR, `refusing to write ${path}: it already exists; remove it`, {
      cause: error,
    });
  }
  return error;
}

function notRegular(path: string): VelosError {
  return new VelosError(
    ErrorCodes.IO_ERROR,
    `refusing to write ${path}: it is not a regular file; remove it`,
  );
}

function unsafe(home: string, why: string, fix: string): VelosError {
  return new VelosError(ErrorCodes.UNSAFE_HOME, `refusing the Velos home ${home}: it ${why}; ${fix}`, {
    data: { path: home },
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
