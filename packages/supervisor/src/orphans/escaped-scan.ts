import { readProcBytes } from '../proc-read.js';
import { HAS_PROCFS, type ProcessSnapshot, readProcStat, treePids } from '../proc-scan.js';

/** What `findEscapedByEnvironment` looks for. */
export interface EscapedScanOptions {
  /** The Velos home whose daemon started the run (`VELOS_HOME` in the environment). */
  home: string;
  /** The process id (`VELOS_ID`) of the run. */
  id: number;
  /** The run's root pid: its tree (and group) is stopped anyway, so it is left out here. */
  rootPid: number;
  /** The root's start time (`ProcStat.startTicks`): only processes started since can descend from it (0: all). */
  sinceTicks: number;
  snapshot: ProcessSnapshot;
}

/** What a scan for escaped processes found. */
export interface EscapedScan {
  /** The roots found (pid and start time), those below another one's tree left out. */
  found: Array<[number, number]>;
  /**
   * Processes whose environment read empty (pid and start time): caught in the middle of an `execve`
   * (the new image's environment is set up a moment after the old one is gone: a setsid child that
   * execs at the instant its parent exits) or started with an empty one; `recheckExecing` reads them again.
   */
  execing: Array<[number, number]>;
}

/**
 * Finds the processes a run started that are no longer in its tree: a grandchild that called setsid
 * and whose parent exited is re-parented to init, outside the group and the parent links, but it
 * still carries `VELOS_HOME=<home>` and `VELOS_ID=<id>` in its environment (#15). Linux only, else none.
 */
export function findEscapedByEnvironment(options: EscapedScanOptions): EscapedScan {
  const { home, id, ...rest } = options;
  return findEscapedByVariables({ ...rest, variables: environmentMarks(home, id) });
}

/** The environment entries that mark every process of run `id` of the daemon of `home`. */
export function environmentMarks(home: string, id: number): string[] {
  return [`VELOS_HOME=${home}`, `VELOS_ID=${id}`];
}

/** What `findEscapedByVariables` looks for. */
export interface VariableScanOptions extends Omit<EscapedScanOptions, 'home' | 'id'> {
  /** `NAME=value` entries every process found has in its environment. */
  variables: readonly string[];
}

/**
 * `findEscapedByEnvironment` for any marker: the live processes outside the tree of `rootPid` whose
 * environment holds every one of `variables` (an exec probe's `VELOS_PROBE=<token>`), as tree roots.
 */
export function findEscapedByVariables(options: VariableScanOptions): EscapedScan {
  if (!HAS_PROCFS) return { found: [], execing: [] };
  const { snapshot } = options;
  const inTree = new Set(treePids(snapshot, options.rootPid));
  const protectedPids = selfAndAncestors(snapshot);
  const needles = toNeedles(options.variables);
  const found = new Map<number, number>();
  const execing: Array<[number, number]> = [];
  for (const stat of snapshot.stats.values()) {
    if (stat.startTicks < options.sinceTicks || stat.state === 'Z' || stat.state === 'X') continue;
    if (inTree.has(stat.pid) || protectedPids.has(stat.pid)) continue;
    const environ = readEnviron(stat.pid);
    // a kernel thread (group 0) has no environment, ever
    if (environ?.length === 2) {
      if (stat.pgrp !== 0) execing.push([stat.pid, stat.startTicks]);
    } else if (environ && hasEvery(environ, needles)) found.set(stat.pid, stat.startTicks);
  }
  const below = new Set<number>();
  for (const pid of found.keys())
    for (const member of treePids(snapshot, pid)) if (member !== pid) below.add(member);
  return { found: [...found].filter(([pid]) => !below.has(pid)), execing };
}

/** How long `recheckExecing` waits for an environment to appear, and how often it looks. */
const RECHECK_TIMEOUT_MS = 2000;
const RECHECK_EVERY_MS = 10;

/**
 * Reads again, until it is not empty, the environment of each process a scan caught without one
 * (`EscapedScan.execing`) and resolves with those that turned out to hold every one of `variables`;
 * a process that exits, or whose environment stays empty for `timeoutMs` (it was started with none), is dropped.
 */
export async function recheckExecing(
  execing: ReadonlyArray<[number, number]>,
  variables: readonly string[],
  timeoutMs = RECHECK_TIMEOUT_MS,
): Promise<Array<[number, number]>> {
  const needles = toNeedles(variables);
  const matched: Array<[number, number]> = [];
  let pending = [...execing];
  const deadline = Date.now() + timeoutMs;
  while (pending.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, RECHECK_EVERY_MS));
    pending = pending.filter(([pid, startTicks]) => {
      if (readProcStat(pid)?.startTicks !== startTicks) return false;
      const environ = readEnviron(pid);
      if (environ === null) return false;
      if (environ.length === 2) return true;
      if (hasEvery(environ, needles)) matched.push([pid, startTicks]);
      return false;
    });
  }
  return matched;
}

function toNeedles(variables: readonly string[]): Buffer[] {
  return variables.map((variable) => Buffer.from(`\0${variable}\0`));
}

function hasEvery(environ: Buffer, needles: readonly Buffer[]): boolean {
  return needles.every((needle) => environ.includes(needle));
}
const NUL = Buffer.from([0]);

/** The environment of a process with a NUL before its first entry, so every `\0NAME=value\0` matches whole. */
function readEnviron(pid: number): Buffer | null {
  const environ = readProcBytes(`/proc/${pid}/environ`);
  // null: gone, or another user's
  return environ === null ? null : Buffer.concat([NUL, environ, NUL]);
}

/** The daemon and its ancestors: a CLI run by a supervised app may have started it with that app's environment. */
function selfAndAncestors(snapshot: ProcessSnapshot): Set<number> {
  const chain = new Set<number>();
  for (let pid = process.pid; pid > 1 && !chain.has(pid); ) {
    chain.add(pid);
    pid = snapshot.stats.get(pid)?.ppid ?? 0;
  }
  return chain;
}
