import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type VelosClient } from '@velos/client';

/** The repository's fixture programs. */
export const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));
const RUN_DAEMON = fileURLToPath(new URL('./run-daemon.mjs', import.meta.url));

/** Polls `check` until it returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A real daemon on a temp home, with a client as its control. */
export interface TestDaemon {
  home: string;
  client: VelosClient;
  child: ChildProcess;
  /** Stops the daemon, its apps and removes the home (by pid; SIGKILL when it does not end). */
  stop(): Promise<void>;
}

/** Starts a daemon (built `@velos/supervisor`) on a fresh home and waits for it to answer. */
export async function startDaemon(): Promise<TestDaemon> {
  const home = mkdtempSync(join(tmpdir(), 'velos-api-'));
  const child = spawn(process.execPath, [RUN_DAEMON, home], { stdio: 'ignore', detached: true });
  const client = createClient({ home, timeoutMs: 30_000 });
  await waitFor(async () => !(await client.ping()).restoring, `the daemon of ${home}`);
  const stop = async () => {
    const pids = (await client.list().catch(() => [])).map((info) => info.pid).filter((pid) => pid !== null);
    await Promise.race([client.kill().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    await client.close();
    const pidFile = join(home, 'velos.pid');
    const daemonPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : child.pid;
    for (const pid of [daemonPid, child.pid, ...pids]) kill(pid);
    rmSync(home, { recursive: true, force: true });
  };
  return { home, client, child, stop };
}

function kill(pid: number | null | undefined): void {
  if (!pid || pid === process.pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
