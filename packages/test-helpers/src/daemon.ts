import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertHomeOpen, trackHomeChild } from './home-guard.js';
import { ancestorsOfSelf, descendantsOf, killPid, listProcs, mentionsHome } from './proc.js';

/** How to start a daemon (or any long-running program) on a home. */
export interface SpawnDaemonOptions {
  /** The VELOS_HOME; it is also the last argument, so the process names its home on its command line. */
  home: string;
  /** The Node.js script to run (a daemon bundle, `velos-server`, …). */
  entry: string;
  /** Arguments before the home. */
  args?: string[];
  /** Flags for `node` itself (`--max-old-space-size=…`). */
  nodeFlags?: string[];
  /** Extra environment, on top of this process's. */
  env?: Record<string, string>;
  cwd?: string;
  /** Where its stdout and stderr go (appended); `<home>/daemon-test.out` unless told. */
  logFile?: string;
  /** In its own process group (as a real daemon is); true unless told. */
  detached?: boolean;
}

/**
 * Spawns a daemon in the background on `home`, without waiting for it; stop it with `stopHome` (or
 * `closeHome`, which kills it by PID). Throws `HOME_CLOSED` when the home's teardown has begun.
 */
export function spawnDaemon(options: SpawnDaemonOptions): ChildProcess {
  const { home, entry, args = [], nodeFlags = [], env = {} } = options;
  assertHomeOpen(home, `start ${entry}`);
  const out = openSync(options.logFile ?? join(home, 'daemon-test.out'), 'a');
  try {
    const child = spawn(process.execPath, [...nodeFlags, entry, ...args, home], {
      stdio: ['ignore', out, out],
      detached: options.detached ?? true,
      env: { ...process.env, ...env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    trackHomeChild(child, home);
    return child;
  } finally {
    closeSync(out);
  }
}

/** The daemon pid recorded in `<home>/velos.pid`, or null. */
export function readPidFile(home: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(home, 'velos.pid'), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * SIGKILLs by PID everything a home runs: its daemon (from velos.pid, when that process really belongs
 * to the home), the daemon's descendants, and every process whose command line, environment
 * (VELOS_HOME=…) or cwd names the home, so children that left with setsid are found too; it repeats
 * until none is left or `timeoutMs` passed. Never kills by name, never this process or its ancestors.
 */
export async function stopHome(home: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const targets = homePids(home);
    if (targets.length === 0 || Date.now() > deadline) return;
    for (const pid of targets) killPid(pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pids `stopHome` would kill now: the home's daemon first, then its tree and the home's other processes. */
export function homePids(home: string): number[] {
  const protectedPids = ancestorsOfSelf();
  const procs = listProcs();
  const targets = new Set<number>();
  const daemonPid = readPidFile(home);
  const daemon = procs.find((p) => p.pid === daemonPid);
  // The pid file may be stale and its pid reused: only trust it when that process belongs to this home.
  if (daemon && mentionsHome(daemon, home)) {
    targets.add(daemon.pid);
    for (const pid of descendantsOf(daemon.pid, procs)) targets.add(pid);
  }
  for (const p of procs) if (mentionsHome(p, home)) targets.add(p.pid);
  for (const pid of protectedPids) targets.delete(pid);
  return [...targets];
}
