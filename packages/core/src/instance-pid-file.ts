import { extname } from 'node:path';

/**
 * The pid file of one instance of an app with PM2's `pid_file`: the file itself for an app of one
 * process, else `-<instance>` before its extension (`api.pid` → `api-0.pid`, `api-1.pid`).
 * @example instancePidFile('/run/api.pid', 1, true) // '/run/api-1.pid'
 */
export function instancePidFile(path: string, instance: number, hasSeveral: boolean): string {
  if (!hasSeveral) return path;
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}-${instance}${ext}`;
}
