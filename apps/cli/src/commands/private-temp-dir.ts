import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private temporary directory that is deleted however the command ends. */
export interface PrivateTempDir {
  path: string;
  /** Deletes the directory and its files (again: nothing happens). */
  remove(): void;
}

/** The signals that end a command run from a terminal or a supervisor, with the directory deleted first. */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Creates `<tmpdir>/<prefix>XXXXXX`, deleted by `remove()`, by `process.exit` (an `EPIPE` on stdout
 * exits at once) and on SIGINT, SIGTERM or SIGHUP, after which the process still dies of the signal
 * (exit status 128 + its number, as without the handler).
 */
export function createPrivateTempDir(prefix: string): PrivateTempDir {
  let path: string | undefined;
  let isRemoved = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    // with no listener left the signal's default action applies: the process dies of it
    process.kill(process.pid, signal);
  };
  const remove = (): void => {
    process.off('exit', remove);
    for (const signal of ENDING_SIGNALS) process.off(signal, onSignal);
    if (isRemoved) return;
    isRemoved = true;
    if (path !== undefined) rmSync(path, { recursive: true, force: true });
  };
  // the handlers first: a signal that comes as soon as the directory exists (a process descheduled
  // between the two steps) finds them in place; its listener runs after this function returns
  process.once('exit', remove);
  for (const signal of ENDING_SIGNALS) process.once(signal, onSignal);
  try {
    path = mkdtempSync(join(tmpdir(), prefix));
  } catch (error) {
    remove();
    throw error;
  }
  return { path, remove };
}
