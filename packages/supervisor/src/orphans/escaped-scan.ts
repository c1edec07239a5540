import { readProcBytes } from '../proc-read.js';
import { HAS_PROCFS, type ProcessSnapshot, treePids } from '../proc-scan.js';

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

/**
 * Finds the processes a run started that are no longer in its tree: a grandchild that called setsid
 * and whose parent exited is re-parented to init, outside the group and the parent links, but it
 * still carries `VELOS_HOME=<home>` and `VELOS_ID=<id>` in its environment (#15). Returns the roots
 * among them (pid and start time), those below another one's tree left out; Linux only, else none.
 */
export function findEscapedByEnvironment(options: EscapedScanOptions): Array<[number, number]> {
  const { home, id, ...rest } = options;
  return findEscapedByVariables({ ...rest, variables: [`VELOS_HOME=${home}`, `VELOS_ID=${id}`] });
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
export function findEscapedByVariables(options: VariableScanOptions): Array<[number, number]> {
  if (!HAS_PROCFS) return [];
  const { snapshot } = options;
  const inTree = new Set(treePids(snapshot, options.rootPid));
  const protectedPids = selfAndAncestors(snapshot);
  const needles = options.variables.map((variable) => Buffer.from(`\0${variable}\0`));
  const found = new Map<number, number>();
  for (const stat of snapshot.stats.values()) {
    if (stat.startTicks < options.sinceTicks || stat.state === 'Z' || stat.state === 'X') continue;
    if (inTree.has(stat.pid) || protectedPids.has(stat.pid)) continue;
    const environ = readEnviron(stat.pid);
    if (environ && needles.every((needle) => environ.includes(needle))) found.set(stat.pid, stat.startTicks);
  }
  const below = new Set<number>();
  for (const pid of found.keys())
    for (const member of treePids(snapshot, pid)) if (member !== pid) below.add(member);
  return [...found].filter(([pid]) => !below.has(pid));
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
