import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, isVelosError, VelosError } from '@velos/core';
import { escapeControlChars } from '../output/log-line.js';

/**
 * `velos logs <name>` of an app that is gone (`velos delete`): the daemon knows no such process, but
 * the app's log files stay in `<home>/logs`, as journald keeps a removed unit's lines. The daemon's
 * `TARGET_NOT_FOUND` gets the paths of the files left by that name, so the answer says where they are
 * instead of reading as "there are no logs". Any other error, or a name without files, is as it was.
 */
export function withLeftLogFiles(error: unknown, home: string, target: string | undefined): unknown {
  if (!isVelosError(error) || error.code !== ErrorCodes.TARGET_NOT_FOUND || target === undefined)
    return error;
  const files = leftLogFiles(join(home, 'logs'), target);
  if (files.length === 0) return error;
  const shown = files.map((file) => escapeControlChars(file)).join(', ');
  const message = `${error.message}; log files by that name remain (a deleted app's?): ${shown}`;
  return new VelosError(error.code, message, { cause: error, data: error.data });
}

/**
 * The current log files an app named `name` writes under the default names in `dir`: `<name>-out.log`,
 * `<name>-err.log`, `<name>.log` (merged streams, PM2's `log_file`) and one instance's own
 * (`<name>-out-2.log`, `log_per_instance`). A process id, `all` or a `/regex/` names no file.
 */
export function leftLogFiles(dir: string, name: string): string[] {
  if (name === 'all' || /^\d+$/.test(name) || name.includes('/')) return [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const own = new RegExp(`^${escapeRegExp(name)}(?:-(?:out|err)(?:-\\d+)?)?\\.log$`);
  return entries
    .filter((entry) => own.test(entry))
    .sort(byStream)
    .map((entry) => join(dir, entry));
}

/** stdout's files before stderr's, each in name order (`-out.log`, `-out-1.log`, then `-err…`). */
function byStream(a: string, b: string): number {
  const rank = (entry: string) => (/-err(?:-\d+)?\.log$/.test(entry) ? 1 : 0);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
