import { extname, posix } from 'node:path';

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

/**
 * Whether an app's pid file path means none: /dev/null (in any spelling: `//dev/./null`). The daemon
 * removes a pid file when its run ends, and would remove the device, so every surface (a config file,
 * `--pid`, a spec sent whole over REST or the socket) drops it.
 */
export function isNullPidFile(path: string): boolean {
  return posix.normalize(path) === '/dev/null';
}
