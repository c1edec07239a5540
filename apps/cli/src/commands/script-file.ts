import { opendirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AppSpec, suggestKey } from '@velos/core';
import { isFile } from '../safe-stat.js';

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

/** Entries of a directory looked at for a near name: a huge directory is not read whole for a hint. */
const NEAR_FILE_SCAN_MAX = 2000;

/**
 * The file beside a script word that is not there whose name is one or two edits away, written as
 * the word was (`sever.js` → `server.js`, `app/velos.tml` → `app/velos.toml`); null when none is.
 * @example nearbyFile('sever.js', '/srv/api') // 'server.js' when /srv/api/server.js exists
 */
export function nearbyFile(word: string, cwd: string): string | null {
  const prefix = word.slice(0, word.lastIndexOf('/') + 1);
  const names: string[] = [];
  try {
    const dir = opendirSync(resolve(cwd, prefix === '' ? '.' : prefix));
    try {
      for (
        let entry = dir.readSync();
        entry !== null && names.length < NEAR_FILE_SCAN_MAX;
        entry = dir.readSync()
      )
        if (entry.isFile()) names.push(entry.name);
    } finally {
      dir.closeSync();
    }
  } catch {
    return null;
  }
  const near = suggestKey(word.slice(prefix.length), names);
  return near === null ? null : `${prefix}${near}`;
}
