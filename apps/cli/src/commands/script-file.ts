import { resolve } from 'node:path';
import type { AppSpec } from '@velos/core';
import { isFile } from '../safe-stat.js';

// the daemon's own suggestion, so that a typo reads the same from the CLI and from a start it refuses
export { nearbyFile } from '@velos/supervisor/spec-tools';

/**
 * True when an app's script names a file (a path, or a word with an extension: `server.js`,
 * `bin/www`) that is not there. A word without a slash or an extension is a program on PATH and a
 * line with spaces a shell command: neither is a file to check.
 */
export function isScriptFileMissing(spec: Pick<AppSpec, 'script' | 'cwd'>): boolean {
  const script = spec.script.trim();
  if (/\s/.test(script) || !(script.includes('/') || /\.\w+$/.test(script))) return false;
  return !isFile(resolve(spec.cwd, script));
}
