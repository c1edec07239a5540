import { close, fstat, open, rename, type Stats, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { APPEND_NO_FOLLOW, LOG_DIR_MODE, noFollowError } from '@velos/core';

/** Mode of the log files a writer creates. */
export const LOG_FILE_MODE = 0o640;

/** The stats of an open descriptor. */
export function statFd(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) =>
    fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats))),
  );
}

/** Opens (creates) `path` for appending without following a symlink at it. */
export function openAppend(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, APPEND_NO_FOLLOW, LOG_FILE_MODE, (error, fd) =>
      error ? reject(noFollowError(path, error)) : resolve(fd),
    ),
  );
}

/** The permission bits of the directory of `path` (`LOG_DIR_MODE` when it does not exist). */
export function directoryModeOf(path: string): number {
  const stats = statSync(dirname(path), { throwIfNoEntry: false });
  return stats === undefined ? LOG_DIR_MODE : stats.mode & 0o777;
}

/** The message of a thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Renames `path` to `target`. */
export function renameFile(path: string, target: string): Promise<void> {
  return new Promise((resolve, reject) =>
    rename(path, target, (error) => (error ? reject(error) : resolve())),
  );
}

/** A log file opened again at its path (see `reopenAppend`). */
export interface Reopened {
  fd: number;
  /** The path now names another file than the old descriptor's (it was moved away, a new one created). */
  isReplaced: boolean;
  /** Bytes in the file at the path. */
  size: number;
}

/**
 * Opens `path` again for appending and closes `oldFd` once both are known; on a failure the old
 * descriptor stays open and the new one is closed. A directory removed meanwhile is made again with
 * `dirMode` (the permissions it had: the Velos home's `logs` is 0700).
 */
export async function reopenAppend(path: string, oldFd: number, dirMode = LOG_DIR_MODE): Promise<Reopened> {
  const fd = await openAppend(path).catch(async (error: NodeJS.ErrnoException) => {
    // its directory was removed (a cleanup, logrotate's olddir): made again, as it was
    if (error.code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true, mode: dirMode });
    return openAppend(path);
  });
  let before: Stats;
  let after: Stats;
  try {
    [before, after] = await Promise.all([statFd(oldFd), statFd(fd)]);
  } catch (error) {
    close(fd, () => undefined);
    throw error;
  }
  close(oldFd, () => undefined);
  return { fd, isReplaced: before.ino !== after.ino || before.dev !== after.dev, size: after.size };
}
