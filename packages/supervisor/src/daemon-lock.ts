import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CREATE_EXCLUSIVE, ErrorCodes, HOME_LAYOUT, VelosError, writeFreshFile } from '@velos/core';
import { HAS_PROCFS, isPidAlive, readProcStat } from './proc-scan.js';

/** Name of the single-instance lock file in the Velos home. */
export const LOCK_FILE = HOME_LAYOUT.lock;

/** The outcome of taking the daemon lock: held by us (release it at exit), or by a live daemon. */
export type DaemonLock = { isAcquired: true; release(): void } | { isAcquired: false; pid: number };

interface Holder {
  pid: number;
  raw: string;
  ino: number;
  mtimeMs: number;
}

const GIVE_UP_AFTER_MS = 10_000;
const UNREADABLE_GRACE_MS = 2000;

/**
 * Takes the single-instance lock `velos.lock` (holding our pid), created complete and atomically
 * with link(2). A lock whose pid is dead, or was reused by a later process, is stale and replaced;
 * replacing is serialised by a `velos.lock.takeover` file so two starters never both win. A lock
 * that exists but cannot be read (not a file, no permission) fails at once with `DAEMON_START_FAILED`.
 */
export async function acquireDaemonLock(home: string): Promise<DaemonLock> {
  const lockPath = join(home, LOCK_FILE);
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  while (Date.now() < deadline) {
    if (tryCreate(lockPath)) return { isAcquired: true, release: () => releaseLock(lockPath) };
    const holder = readHolder(lockPath);
    if (holder === null) continue;
    if (holder instanceof Error) {
      const code = (holder as NodeJS.ErrnoException).code ?? holder.message;
      throw new VelosError(
        ErrorCodes.DAEMON_START_FAILED,
        `cannot read the daemon lock ${lockPath} (${code}); remove it if no Velos daemon runs for ${home}`,
        { cause: holder },
      );
    }
    if (Number.isInteger(holder.pid) && holder.pid > 0) {
      if (isHolderAlive(holder)) return { isAcquired: false, pid: holder.pid };
    } else if (Date.now() - holder.mtimeMs < UNREADABLE_GRACE_MS) {
      await sleep(20);
      continue;
    }
    await takeOver(lockPath, holder);
  }
  throw new VelosError(ErrorCodes.DAEMON_START_FAILED, `could not take the daemon lock ${lockPath}`);
}

function tryCreate(lockPath: string): boolean {
  const tmp = `${lockPath}.${process.pid}`;
  // left by an earlier process with our pid, or planted: never written through
  writeFreshFile(tmp, `${process.pid}\n`);
  try {
    linkSync(tmp, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createExclusive(lockPath);
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

/** Fallback for file systems without hard links. */
function createExclusive(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, CREATE_EXCLUSIVE, 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The lock's holder; null when the file vanished meanwhile; the error when it cannot be read. */
function readHolder(lockPath: string): Holder | Error | null {
  try {
    const stat = statSync(lockPath);
    const raw = readFileSync(lockPath, 'utf8');
    return { pid: Number(raw.trim() || Number.NaN), raw, ino: stat.ino, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return error instanceof Error ? error : new Error(String(error));
  }
}

function readableHolder(path: string): Holder | null {
  const holder = readHolder(path);
  return holder instanceof Error ? null : holder;
}

function isHolderAlive(holder: Holder): boolean {
  if (holder.pid === process.pid || !isPidAlive(holder.pid)) return false;
  const startedAt = processStartMs(holder.pid);
  // a process that started after the lock was written cannot be the one that wrote it
  return startedAt === null || startedAt <= holder.mtimeMs + 1000;
}

async function takeOver(lockPath: string, stale: Holder): Promise<void> {
  const guard = `${lockPath}.takeover`;
  try {
    closeSync(openSync(guard, 'wx', 0o600));
  } catch {
    const age = Date.now() - (readableHolder(guard)?.mtimeMs ?? Date.now());
    if (age > 5000) unlinkQuietly(guard);
    await sleep(20);
    return;
  }
  try {
    const again = readableHolder(lockPath);
    if (again && again.ino === stale.ino && again.raw === stale.raw) unlinkQuietly(lockPath);
  } finally {
    unlinkQuietly(guard);
  }
}

function releaseLock(lockPath: string): void {
  const holder = readableHolder(lockPath);
  if (holder && holder.pid === process.pid) unlinkQuietly(lockPath);
}

let bootTimeMs: number | null | undefined;

/** Epoch ms a process started (Linux), or null when unknown. */
function processStartMs(pid: number): number | null {
  if (!HAS_PROCFS) return null;
  if (bootTimeMs === undefined) {
    try {
      const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
      bootTimeMs = match ? Number(match[1]) * 1000 : null;
    } catch {
      bootTimeMs = null;
    }
  }
  const stat = readProcStat(pid);
  if (bootTimeMs === null || !stat) return null;
  return bootTimeMs + stat.startTicks * 10;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
