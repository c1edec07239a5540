import { execFile } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The directory of a home holding the processes' stdio FIFOs and the run registry (SUP-13). */
export function runDirOf(home: string): string {
  return join(home, 'run');
}

/** Path of the FIFO that a process id's stdout or stderr goes through. */
export function fifoPath(runDir: string, id: number, which: 'out' | 'err'): string {
  return join(runDir, `${id}-${which}.fifo`);
}

/** FIFO pairs a cluster process may use at once (its worker, a reload's new one, an old one draining). */
export const MAX_LANES = 4;

/** Path of the FIFO of one lane of a process id: lane 0 is `fifoPath`, lane n `<id>.<n>-out.fifo`. */
export function laneFifoPath(runDir: string, id: number, lane: number, which: 'out' | 'err'): string {
  return lane === 0 ? fifoPath(runDir, id, which) : join(runDir, `${id}.${lane}-${which}.fifo`);
}

/** Path of the run registry entry of a process id. */
export function runEntryPath(runDir: string, id: number): string {
  return join(runDir, `${id}.json`);
}

const runFile = promisify(execFile);

/**
 * Creates the missing stdio FIFOs (mode 0600, in a 0700 directory) of these process ids. Node has no
 * API for it, so FIFOs come from `mkfifo`; to keep that process off the path of each start, a missing
 * FIFO is a spare one renamed into place, and spares are made SPARE_BATCH at a time by one `mkfifo`
 * call (once the pool runs low, after the current start has been answered). Existing FIFOs are kept,
 * anything else at their path is replaced.
 */
export async function ensureFifos(runDir: string, ids: Iterable<number>): Promise<void> {
  const paths: string[] = [];
  for (const id of ids) for (const which of ['out', 'err'] as const) paths.push(fifoPath(runDir, id, which));
  await ensureFifoPaths(runDir, paths);
}

/** `ensureFifos` for FIFO paths of `runDir` (a cluster worker's lane). */
export async function ensureFifoPaths(runDir: string, paths: string[]): Promise<void> {
  const missing: string[] = [];
  for (const path of paths) {
    const kind = fileKind(path);
    if (kind === 'fifo') continue;
    if (kind === 'other') unlinkSync(path);
    missing.push(path);
  }
  if (missing.length === 0) return;
  // a spare lives in the run directory: a rename into place needs no check of the directory
  const pool = sparePool(runDir);
  const left = missing.filter((path) => !pool.take(path));
  // the spares are made after this start (creating a file may cost a few ms: issue 17)
  if (pool.size < SPARE_LOW) pool.refillSoon();
  if (left.length > 0) {
    ensureRunDir(runDir);
    await runFile('mkfifo', ['-m', '600', '--', ...left]);
  }
}

/** FIFOs one `mkfifo` call makes ahead for later starts (two per process: a burst of 32 starts). */
const SPARE_BATCH = 64;
/** Below this many spare FIFOs, more are made once the current turn of the event loop is over. */
const SPARE_LOW = 24;

/** The spare FIFOs of a run directory, made ahead so that a start renames one instead of running `mkfifo`. */
interface SparePool {
  readonly size: number;
  /** Renames a spare FIFO to `path`; false when none is left (or the rename failed). */
  take(path: string): boolean;
  /**
   * Makes SPARE_BATCH spares in the background (one refill at a time), from an immediate: the start
   * that took the pool low is answered first (issue 17: the `mkfifo` fork cost that answer ~1-3 ms).
   */
  refillSoon(): void;
}

const pools = new Map<string, SparePool>();
let spareSeq = 0;

function sparePool(runDir: string): SparePool {
  let pool = pools.get(runDir);
  if (pool) return pool;
  ensureRunDir(runDir);
  // spares a previous daemon left behind are used first
  const spares = listDir(runDir)
    .filter((name) => /^spare-[\d-]+\.fifo$/.test(name))
    .map((name) => join(runDir, name))
    .filter((path) => fileKind(path) === 'fifo');
  let refilling: Promise<void> | null = null;
  let isRefillDue = false;
  const refill = (): void => {
    isRefillDue = false;
    if (refilling || spares.length >= SPARE_LOW) return;
    const names = newSpareNames(runDir, SPARE_BATCH);
    refilling = runFile('mkfifo', ['-m', '600', '--', ...names])
      .then(
        () => names,
        // some may exist (a full disk midway): those that are FIFOs are kept
        () => names.filter((path) => fileKind(path) === 'fifo'),
      )
      .then((made) => {
        spares.push(...made);
        refilling = null;
      });
  };
  pool = {
    get size() {
      return spares.length;
    },
    take(path) {
      for (let spare = spares.pop(); spare !== undefined; spare = spares.pop()) {
        try {
          renameSync(spare, path);
          return true;
        } catch {
          // removed meanwhile (or the directory): try the next one
        }
      }
      return false;
    },
    refillSoon() {
      if (refilling || isRefillDue) return;
      isRefillDue = true;
      setImmediate(refill).unref();
    },
  };
  pools.set(runDir, pool);
  return pool;
}

function newSpareNames(runDir: string, count: number): string[] {
  return Array.from({ length: count }, () => {
    spareSeq += 1;
    return join(runDir, `spare-${process.pid}-${spareSeq}.fifo`);
  });
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** True when both FIFOs of a process id exist (and are FIFOs owned by this user). */
export function hasFifos(runDir: string, id: number): boolean {
  return fileKind(fifoPath(runDir, id, 'out')) === 'fifo' && fileKind(fifoPath(runDir, id, 'err')) === 'fifo';
}

/** Removes the FIFOs of a process id that is gone from the table (every lane). */
export function removeFifos(runDir: string, id: number): void {
  for (let lane = 0; lane < MAX_LANES; lane += 1) {
    for (const which of ['out', 'err'] as const) {
      try {
        unlinkSync(laneFifoPath(runDir, id, lane, which));
      } catch {
        // never created
      }
    }
  }
}

/** True when a path is a FIFO owned by this user. */
export function isOwnFifo(path: string): boolean {
  return fileKind(path) === 'fifo';
}

/** Creates the run directory (0700) if needed. */
export function ensureRunDir(runDir: string): void {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  chmodSync(runDir, 0o700);
}

/** This process's uid, read once (undefined where there is none: Windows). */
const uid = process.getuid?.();

function fileKind(path: string): 'fifo' | 'other' | 'none' {
  // no exception for a missing path (issue 17: its stack trace cost each start more than the lstat)
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 'none';
  const isOurs = uid === undefined || stat.uid === uid;
  return stat.isFIFO() && isOurs ? 'fifo' : 'other';
}
