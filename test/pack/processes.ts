import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** Polls `probe` every 100 ms until it returns a truthy value, which it resolves with; throws after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs = 90_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(100);
  }
}

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The native addons (`.node` files) mapped into a process, from /proc (an empty list where there is no /proc). */
export function nativeAddonsOf(pid: number): string[] {
  const maps = `/proc/${pid}/maps`;
  if (!existsSync(maps)) return [];
  const files = readFileSync(maps, 'utf8')
    .split('\n')
    .map((line) => line.split(/\s+/)[5] ?? '')
    .filter((file) => file.endsWith('.node'));
  return [...new Set(files)];
}

/** Stops the daemon of `home` (by the pid in its pid file) and the given app pids: TERM, then KILL after 5 s. */
export async function stopAll(home: string, appPids: number[]): Promise<void> {
  const pidFile = join(home, 'velos.pid');
  const daemonPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  const pids = [daemonPid, ...appPids].filter((pid) => pid > 0 && isAlive(pid));
  for (const pid of pids) signal(pid, 'SIGTERM');
  try {
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 5_000);
  } catch {
    for (const pid of pids) signal(pid, 'SIGKILL');
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // it exited in between
  }
}
