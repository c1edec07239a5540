import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient, type VelosClient } from '@velos/client';
import { makeTempHome, removeTempHome, SeenProcesses, spawnDaemon, waitFor } from '@velos/test-helpers';

export { waitFor };

/** The repository's fixture programs. */
export const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));
const RUN_DAEMON = fileURLToPath(new URL('./run-daemon.mjs', import.meta.url));

/** A real daemon on a temp home, with a client as its control. */
export interface TestDaemon {
  home: string;
  client: VelosClient;
  child: ChildProcess;
  /** Stops the daemon, its apps and removes the home (by pid; SIGKILL when it does not end). */
  stop(): Promise<void>;
}

/**
 * Starts a daemon (built `@velos/supervisor`) on a fresh home (or on `home`, one whose daemon is gone),
 * with `env` over this process's, and waits for it to answer.
 */
export async function startDaemon(env: Record<string, string> = {}, home?: string): Promise<TestDaemon> {
  home ??= makeTempHome('velos-api-').path;
  const child = spawnDaemon({ home, entry: RUN_DAEMON, logFile: '/dev/null', env });
  const client = createClient({ home, timeoutMs: 30_000 });
  await waitFor(async () => !(await client.ping()).restoring, `the daemon of ${home}`);
  const stop = async () => {
    // the daemon and its apps as they are now: what still runs after `kill` is killed by pid, never a
    // later process that got one of their pids
    const seen = new SeenProcesses();
    seen.add(child.pid);
    for (const info of await client.list().catch(() => [])) seen.add(info.pid);
    await Promise.race([client.kill().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    await client.close();
    seen.killAll();
    await removeTempHome(home);
  };
  return { home, client, child, stop };
}
