import { constants, lstatSync, type Stats } from 'node:fs';
import { lstat, mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type AppSpec, ErrorCodes, instancePidFile, noFollowError, VelosError } from '@velos/core';
import type { ProcessRecord } from './process-record.js';

/**
 * PM2's `pid_file`: the path of one instance's pid file; past one instance each gets its own,
 * `-<instance>` before the extension (`api.pid` → `api-0.pid`, `api-1.pid`); null without a pid file.
 */
export function pidFilePath(record: ProcessRecord): string | null {
  const path = record.app.spec.pidFile;
  if (path === undefined) return null;
  const hasSeveral = record.app.spec.instances > 1 || record.app.ids.length > 1;
  return instancePidFile(path, record.instance, hasSeveral);
}

/**
 * Why an app's pid files cannot be used: one of its instances' paths holds something other than a
 * regular file (a device such as /dev/null, a FIFO, a directory, a socket, a symbolic link), which the
 * daemon would write into or remove at the end of the run; null when each is a regular file or absent.
 * @example pidFileProblem({ pidFile: '/dev/zero', instances: 1 }) // 'pid_file /dev/zero is a character device, …'
 */
export function pidFileProblem(spec: Pick<AppSpec, 'pidFile' | 'instances'>): string | null {
  if (spec.pidFile === undefined) return null;
  const hasSeveral = spec.instances > 1;
  for (let instance = 0; instance < (hasSeveral ? spec.instances : 1); instance += 1) {
    const path = instancePidFile(spec.pidFile, instance, hasSeveral);
    let stats: Stats;
    try {
      stats = lstatSync(path);
    } catch {
      continue; // absent (or not looked at): the write makes it, or says why it cannot
    }
    if (!stats.isFile())
      return `pid_file ${path} is ${kindOf(stats)}, not a regular file (name another path, or leave pid_file out for none)`;
  }
  return null;
}

/**
 * Modes of a pid file and of a folder made for it: readable by every user, as a pid file is meant for
 * monitoring tools and init scripts (its folder was 0700, so the 0644 file could be read by no one else).
 */
const PID_FILE_MODE = 0o644;
const PID_DIR_MODE = 0o755;

/**
 * Writes the pid of a process that came online into its pid file (a failure is logged, never thrown);
 * a symbolic link planted at its path is refused, never written through (the daemon may be root and
 * the file in a directory others can write, such as /tmp).
 */
export function writePidFile(record: ProcessRecord, log: (message: string) => void): Promise<void> {
  const path = pidFilePath(record);
  const pid = record.pid;
  if (path === null || pid === null) return Promise.resolve();
  return inOrder(path, async () => {
    try {
      await mkdir(dirname(path), { recursive: true, mode: PID_DIR_MODE });
      await writePidText(path, `${pid}\n`);
    } catch (error) {
      const reason = noFollowError(path, error);
      log(`process ${record.id} (${record.app.spec.name}): cannot write pid_file ${path}: ${reason}`);
    }
  });
}

/**
 * Removes the pid file of a process whose run ended (a missing file is fine); only a regular file is
 * removed: a device, FIFO or link found at the path is left (the daemon may be root: /dev/null itself).
 */
export function removePidFile(record: ProcessRecord): Promise<void> {
  const path = pidFilePath(record);
  if (path === null) return Promise.resolve();
  return inOrder(path, async () => {
    try {
      if ((await lstat(path)).isFile()) await unlink(path);
    } catch {
      // gone already, or not ours to remove
    }
  });
}

/**
 * Flags that create a pid file and refuse a symbolic link in its place (ELOOP); a FIFO planted there
 * fails (ENXIO) instead of blocking the open for ever, and a terminal does not become the daemon's.
 * No O_TRUNC: the file is truncated once it is known to be a regular one.
 */
const WRITE_NO_FOLLOW =
  constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

async function writePidText(path: string, text: string): Promise<void> {
  // a device is never opened (opening one can act: a watchdog, a tape), nor written once open
  const before = await lstat(path).catch(() => null);
  if (before !== null && !before.isFile()) throw notRegular(path, before);
  const file = await open(path, WRITE_NO_FOLLOW, PID_FILE_MODE);
  try {
    const stats = await file.stat();
    if (!stats.isFile()) throw notRegular(path, stats);
    await file.truncate(0);
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}

function notRegular(path: string, stats: Stats): VelosError {
  return new VelosError(
    ErrorCodes.IO_ERROR,
    `refusing to write ${path}: it is ${kindOf(stats)}, not a regular file; remove it or name another path`,
  );
}

/** What a path that is not a regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'an unknown kind of file';
}

/** The last write or removal queued on each pid file path. */
const pending = new Map<string, Promise<void>>();

/**
 * Runs the writes and removals of one pid file in the order they were asked for: the removal after a
 * crash and the write of the restarted run's pid are asked for within a millisecond (issue 17), and
 * the file must end up with the new pid, not removed by the older request finishing last.
 */
function inOrder(path: string, op: () => Promise<void>): Promise<void> {
  const next = (pending.get(path) ?? Promise.resolve()).then(op);
  pending.set(path, next);
  void next.then(() => {
    if (pending.get(path) === next) pending.delete(path);
  });
  return next;
}
