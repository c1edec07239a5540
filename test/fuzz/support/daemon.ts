import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type VelosClient } from '@velos/client';
import { expect } from 'vitest';
import { createHome, isAlive, readPidFile, runNode, VELOS_BIN, velosOk, waitFor } from '../../e2e/helpers.js';
import { INSPECT_FLAG, inspectorUrlIn } from './heap.js';

export {
  cleanupHomes,
  FIXTURES,
  isAlive,
  killChild,
  VELOS_BIN,
  velosOk,
  waitFor,
} from '../../e2e/helpers.js';

/** A daemon started by the real CLI on a fresh temporary VELOS_HOME. */
export interface FuzzDaemon {
  home: string;
  pid: number;
  /** A well-behaved client used to check the daemon between batches. */
  client: VelosClient;
  /** Its DevTools URL (for `heapAfterGc`) when it was started with `{inspect: true}`. */
  inspector?: string;
}

/**
 * Starts the daemon through `velos list` (as a user would) and connects a well-behaved client. With
 * `inspect`, that `velos list` runs with `INSPECT_FLAG`, which the CLI passes on to the daemon it starts
 * (as it passes every flag of its own `node`): the daemon listens for DevTools on a free loopback port and
 * writes the URL to its log. The flag is on the command line, not in NODE_OPTIONS, so the daemon's apps
 * do not get it.
 */
export async function startFuzzDaemon(
  options: { inspect?: boolean; env?: Record<string, string> } = {},
): Promise<FuzzDaemon> {
  const home = createHome();
  const env = options.env ?? {};
  if (options.inspect) {
    // runNode runs `node <first> …rest`: the flag goes before the CLI's entry
    const listed = await runNode(INSPECT_FLAG, [VELOS_BIN, 'list', '--json'], {
      env: { ...process.env, ...env, VELOS_HOME: home },
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  } else {
    const listed = await velosOk(['list', '--json'], { home, env });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  }
  const pid = readPidFile(home)!;
  const daemon: FuzzDaemon = { home, pid, client: createClient({ home, timeoutMs: 20_000 }) };
  if (options.inspect) {
    const log = join(home, 'daemon.log');
    daemon.inspector = await waitFor(() => inspectorUrlIn(readFileSync(log, 'utf8')), {
      timeoutMs: 10_000,
      message: `the daemon's DevTools URL in ${log}`,
    });
  }
  return daemon;
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

/** The check after every batch: same daemon pid alive, a well-behaved client answered correctly. */
export async function expectHealthy(daemon: FuzzDaemon): Promise<void> {
  expect(isAlive(daemon.pid)).toBe(true);
  expect(readPidFile(daemon.home)).toBe(daemon.pid);
  const ping = await daemon.client.ping();
  expect(ping.pid).toBe(daemon.pid);
  const list = await daemon.client.list();
  expect(Array.isArray(list)).toBe(true);
}
