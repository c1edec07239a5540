import { readFileSync } from 'node:fs';

/**
 * The systemd service that runs the daemon `pid` (`velos.service`), or null: a daemon a CLI started
 * (not Linux, or no such unit). See {@link serviceUnitIn}.
 */
export function serviceUnitOfPid(pid: number): string | null {
  try {
    const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return serviceUnitIn(cgroup, argv);
  } catch {
    return null;
  }
}

/**
 * The service unit named by a daemon's cgroup (`0::/system.slice/velos.service`, or cgroup v1's
 * `name=systemd:` line) when the daemon runs as a service runs it, `velos daemon --foreground`; null
 * otherwise. A daemon that a CLI started is in the cgroup of that CLI's service (`cron.service`, a CI
 * runner's): no service manager starts it again.
 */
export function serviceUnitIn(cgroup: string, argv: readonly string[]): string | null {
  const command = argv.indexOf('daemon');
  if (command === -1 || !argv.slice(command + 1).includes('--foreground')) return null;
  for (const line of cgroup.split('\n')) {
    const unit = line.split(':').slice(2).join(':').split('/').at(-1) ?? '';
    if (unit.endsWith('.service') && !/^user@\d+\.service$/.test(unit)) return unit;
  }
  return null;
}
