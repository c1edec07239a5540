import { execFile } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
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

/** Path of the run registry entry of a process id. */
export function runEntryPath(runDir: string, id: number): string {
  return join(runDir, `${id}.json`);
}

const runFile = promisify(execFile);

/**
 * Creates the missing stdio FIFOs (mode 0600, in a 0700 directory) of these process ids with one
 * `mkfifo` call (Node has no API for it); existing FIFOs are kept, anything else at their path is replaced.
 */
export async function ensureFifos(runDir: string, ids: Iterable<number>): Promise<void> {
  const missing: string[] = [];
  for (const id of ids) {
    for (const which of ['out', 'err'] as const) {
      const path = fifoPath(runDir, id, which);
      const kind = fileKind(path);
      if (kind === 'fifo') continue;
      if (kind === 'other') unlinkSync(path);
      missing.push(path);
    }
  }
  if (missing.length === 0) return;
  ensureRunDir(runDir);
  await runFile('mkfifo', ['-m', '600', '--', ...missing]);
}

/** True when both FIFOs of a process id exist (and are FIFOs owned by this user). */
export function hasFifos(runDir: string, id: number): boolean {
  return fileKind(fifoPath(runDir, id, 'out')) === 'fifo' && fileKind(fifoPath(runDir, id, 'err')) === 'fifo';
}

/** Removes the FIFOs of a process id that is gone from the table. */
export function removeFifos(runDir: string, id: number): void {
  for (const which of ['out', 'err'] as const) {
    try {
      unlinkSync(fifoPath(runDir, id, which));
    } catch {
      // never created
    }
  }
}

/** Creates the run directory (0700) if needed. */
export function ensureRunDir(runDir: string): void {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  chmodSync(runDir, 0o700);
}

function fileKind(path: string): 'fifo' | 'other' | 'none' {
  try {
    const stat = lstatSync(path);
    const isOurs = process.getuid === undefined || stat.uid === process.getuid();
    return stat.isFIFO() && isOurs ? 'fifo' : 'other';
  } catch {
    return 'none';
  }
}
