import { readFileSync } from 'node:fs';
import { createClient, type VelosClient } from '@velos/client';
import { expect } from 'vitest';
import { createHome, isAlive, listJson, readPidFile } from '../../e2e/helpers.js';

export { cleanupHomes, FIXTURES, isAlive, killPid, VELOS_BIN, velosOk, waitFor } from '../../e2e/helpers.js';

/** A daemon started by the real CLI on a fresh temporary VELOS_HOME. */
export interface FuzzDaemon {
  home: string;
  pid: number;
  /** A well-behaved client used to check the daemon between batches. */
  client: VelosClient;
}

/** Starts the daemon through `velos list` (as a user would) and connects a well-behaved client. */
export async function startFuzzDaemon(): Promise<FuzzDaemon> {
  const home = createHome();
  expect(await listJson(home)).toEqual([]);
  const pid = readPidFile(home)!;
  return { home, pid, client: createClient({ home, timeoutMs: 20_000 }) };
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
