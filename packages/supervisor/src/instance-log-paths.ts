import { extname } from 'node:path';
import type { AppSpec } from '@velos/core';

/** The log files of an app, as `logPaths` resolves them. */
export interface AppLogPaths {
  spec: Pick<AppSpec, 'logPerInstance'>;
  outPath: string;
  errPath: string;
}

/**
 * The stdout and stderr files process `id` writes (issue #14): its app's files, or with
 * `log_per_instance` (PM2's `merge_logs: false`) its own, `-<id>` before the extension
 * (`api-out.log` → `api-out-2.log`, as PM2 names them by `pm_id`).
 */
export function instanceLogPaths(app: AppLogPaths, id: number): { outPath: string; errPath: string } {
  if (!app.spec.logPerInstance) return { outPath: app.outPath, errPath: app.errPath };
  return { outPath: withIdSuffix(app.outPath, id), errPath: withIdSuffix(app.errPath, id) };
}

/** `/var/log/api.log` → `/var/log/api-3.log`; a name without extension gets `-3` at its end. */
export function withIdSuffix(path: string, id: number): string {
  const ext = extname(path);
  return ext === '' ? `${path}-${id}` : `${path.slice(0, -ext.length)}-${id}${ext}`;
}
