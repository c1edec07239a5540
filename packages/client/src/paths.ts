import { join } from 'node:path';
import { HOME_LAYOUT } from '@velos/core';

/** Path of the daemon's Unix socket inside a Velos home directory. */
export function socketPath(home: string): string {
  return join(home, HOME_LAYOUT.socket);
}

/** Path of the daemon's own log inside a Velos home directory. */
export function daemonLogPath(home: string): string {
  return join(home, HOME_LAYOUT.daemonLog);
}
