import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { homePids, SeenProcesses } from '@velos/test-helpers';

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

/**
 * Stops what runs in `home` (its daemon, found by the pid file and by VELOS_HOME in each process's
 * environment) and the apps `seen` still running: TERM, then KILL after 5 s. A pid whose process ended
 * is never signalled: it may name another process by now.
 */
export async function stopAll(home: string, seen: SeenProcesses): Promise<void> {
  const targets = new SeenProcesses();
  for (const pid of [...homePids(home), ...seen.alive()]) targets.add(pid);
  for (const pid of targets.alive()) signal(pid, 'SIGTERM');
  try {
    await waitFor(() => targets.alive().length === 0, 5_000);
  } catch {
    for (const pid of targets.alive()) signal(pid, 'SIGKILL');
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // it exited in between
  }
}
