import { statSync } from 'node:fs';
import { extname } from 'node:path';
import type { AppSpec } from '@velos/core';

/** The log files of an app, as `logPaths` resolves them. */
export interface AppLogPaths {
  spec: Pick<AppSpec, 'logPerInstance'>;
  outPath: string;
  errPath: string;
  /** PM2's combined `log_file` of the app, when it has one. */
  combinedPath?: string;
}

/** The files one process writes: stdout, stderr, and PM2's combined `log_file` when the app has one. */
export interface InstanceLogPaths {
  outPath: string;
  errPath: string;
  combinedPath?: string;
}

/**
 * The files process `id` writes (issue #14): its app's files, or with `log_per_instance` (PM2's
 * `merge_logs: false`) its own, `-<id>` before the extension (`api-out.log` → `api-out-2.log`, as PM2
 * names them by `pm_id`); the combined `log_file` gets the same suffix, as PM2's does.
 */
export function instanceLogPaths(app: AppLogPaths, id: number): InstanceLogPaths {
  const combined = app.combinedPath;
  if (!app.spec.logPerInstance) {
    const shared = { outPath: app.outPath, errPath: app.errPath };
    return combined === undefined ? shared : { ...shared, combinedPath: combined };
  }
  const own = { outPath: withIdSuffix(app.outPath, id), errPath: withIdSuffix(app.errPath, id) };
  return combined === undefined ? own : { ...own, combinedPath: withIdSuffix(combined, id) };
}

/**
 * `/var/log/api.log` → `/var/log/api-3.log`; a name without extension gets `-3` at its end. A device
 * (`/dev/null`, which drops a stream) stays as it is: `/dev/null-3` would be a new file in /dev.
 */
export function withIdSuffix(path: string, id: number): string {
  if (path.startsWith('/dev/')) return path;
  const ext = extname(path);
  return ext === '' ? `${path}-${id}` : `${path.slice(0, -ext.length)}-${id}${ext}`;
}

/**
 * True when a log path names a device or a FIFO (`out_file = "/dev/null"` drops a stream): a flush
 * does not truncate it, so it is not among the files a flush empties.
 */
export function isDevice(path: string): boolean {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats !== undefined && !stats.isFile() && !stats.isDirectory();
}
