import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopHome } from './daemon.js';
import { closeHome } from './home-guard.js';

/** A temporary VELOS_HOME; `cleanup` stops what runs in it (by PID) and removes it. */
export interface TempHome {
  readonly path: string;
  cleanup(): Promise<void>;
}

/**
 * Creates an empty temporary directory, mode 0700 (as a VELOS_HOME must be), in the system temp dir.
 * @example const home = makeTempHome(); try { … } finally { await home.cleanup(); }
 */
export function makeTempHome(prefix = 'velos-test-'): TempHome {
  const path = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(path, 0o700);
  return { path, cleanup: () => removeTempHome(path) };
}

/**
 * Closes the home (`closeHome`: later starts on it throw, the helpers' programs on it are killed by PID),
 * stops every other process of it by PID (`stopHome`), then removes the directory.
 */
export async function removeTempHome(path: string, options: { timeoutMs?: number } = {}): Promise<void> {
  closeHome(path);
  await stopHome(path, options);
  rmSync(path, { recursive: true, force: true });
}
