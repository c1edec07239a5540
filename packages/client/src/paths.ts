import { join } from 'node:path';

/** Path of the daemon's Unix socket inside a Velos home directory. */
export function socketPath(home: string): string {
  return join(home, 'velos.sock');
}

/** Path of the daemon's own log inside a Velos home directory. */
export function daemonLogPath(home: string): string {
  return join(home, 'daemon.log');
}
