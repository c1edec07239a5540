import { readFileSync } from 'node:fs';

/**
 * The `TZ` that the daemon `pid` runs with, read from its /proc environment (Linux, a process of this
 * user): its value, `undefined` when it has none (it reads the system's zone), or null when it cannot
 * be read (another system, another user, the process gone).
 */
export function daemonTimeZone(pid: number): string | undefined | null {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return null;
  }
  const entry = environ.split('\0').find((pair) => pair.startsWith('TZ='));
  return entry === undefined ? undefined : entry.slice('TZ='.length);
}

/**
 * Makes a daemon this process starts read cron expressions (`schedule`, `cron_restart`,
 * `log_rotate_cron`) in the zone of the daemon `pid` it replaces, whatever this shell's `TZ`: a
 * `velos update` from a shell of another zone moved every schedule by the difference.
 */
export function keepDaemonTimeZone(pid: number): void {
  const zone = daemonTimeZone(pid);
  if (zone === null) return;
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
}
