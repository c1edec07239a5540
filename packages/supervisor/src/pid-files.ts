import { constants } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { instancePidFile, noFollowError } from '@velos/core';
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

/** Removes the pid file of a process whose run ended (a missing file is fine). */
export function removePidFile(record: ProcessRecord): Promise<void> {
  const path = pidFilePath(record);
  if (path === null) return Promise.resolve();
  return inOrder(path, () => rm(path, { force: true }).catch(() => undefined));
}

/**
 * Flags that truncate or create a pid file and refuse a symbolic link in its place (ELOOP); a FIFO
 * planted there fails (ENXIO) instead of blocking the open for ever.
 */
const WRITE_NO_FOLLOW =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK;

async function writePidText(path: string, text: string): Promise<void> {
  const file = await open(path, WRITE_NO_FOLLOW, PID_FILE_MODE);
  try {
    await file.writeFile(text);
  } finally {
    await file.close();
  }
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
