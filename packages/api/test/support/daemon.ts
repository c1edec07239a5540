import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient, type VelosClient } from '@velos/client';
import {
  killPid,
  makeTempHome,
  readPidFile,
  removeTempHome,
  spawnDaemon,
  waitFor,
} from '@velos/test-helpers';

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

/** Starts a daemon (built `@velos/supervisor`) on a fresh home and waits for it to answer. */
export async function startDaemon(): Promise<TestDaemon> {
  const home = makeTempHome('velos-api-').path;
  const child = spawnDaemon({ home, entry: RUN_DAEMON, logFile: '/dev/null' });
  const client = createClient({ home, timeoutMs: 30_000 });
  await waitFor(async () => !(await client.ping()).restoring, `the daemon of ${home}`);
  const stop = async () => {
    const pids = (await client.list().catch(() => [])).map((info) => info.pid).filter((pid) => pid !== null);
    await Promise.race([client.kill().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    await client.close();
    for (const pid of [readPidFile(home) ?? child.pid, child.pid, ...pids]) killPid(pid);
    await removeTempHome(home);
  };
  return { home, client, child, stop };
}
