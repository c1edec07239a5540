import {
  HAS_PROCFS,
  isPidAlive,
  type ProcessSnapshot,
  readProcStat,
  takeSnapshot,
  treePids,
} from './proc-scan.js';

/** How to stop a process tree. */
export interface StopTreeOptions {
  /** Signal sent first to every process of the tree. */
  signal: NodeJS.Signals;
  /** Grace period before SIGKILL. */
  killTimeoutMs: number;
  /** How long to wait after SIGKILL before giving up on a process (default 5 s). */
  killWaitMs?: number;
  /**
   * The root's start time (`ProcStat.startTicks`) when the caller knows it: a root pid that now names
   * another process (the root died and its pid was reused) is left alone, and so is its tree.
   */
  rootStartTicks?: number;
}

/** The outcome of a tree stop. */
export interface StopTreeResult {
  /** Every pid found in the tree and signalled. */
  pids: number[];
  /** True when the grace period ran out and SIGKILL was sent. */
  isForced: boolean;
  /** Pids still alive after SIGKILL and `killWaitMs` (normally empty). */
  remaining: number[];
}

/** How long a stop waits after SIGKILL before it gives up on a process (`killWaitMs` by default). */
export const DEFAULT_KILL_WAIT_MS = 5000;
const RESCAN_EVERY_POLLS = 8;
/** Concurrent stops (`stop all` of 100 apps) share one `/proc` scan when it is this fresh. */
const SHARED_SCAN_MAX_AGE_MS = 20;

let sharedScan: { at: number; snapshot: ProcessSnapshot } | null = null;

/**
 * Stops a whole process tree (SUP-4): sends `signal` to the process group and to every descendant
 * outside it (each process gets it once), polls until all are gone, and SIGKILLs what is left after `killTimeoutMs`. Resolves once every
 * pid of the tree is gone (zombies count as gone). Each process is known by its pid and start time
 * from when it was found, and is signalled only while its pid still names that process (#19.12).
 */
export async function stopTree(rootPid: number, options: StopTreeOptions): Promise<StopTreeResult> {
  const rootTicks = startTicksOf(rootPid);
  if (options.rootStartTicks !== undefined && rootTicks !== null && rootTicks !== options.rootStartTicks) {
    return { pids: [], isForced: false, remaining: [] };
  }
  const tree = new ProcessSet();
  const snapshot = recentSnapshot();
  if (rootTicks !== null) tree.add(rootPid, rootTicks, snapshot.stats.get(rootPid)?.pgrp);
  tree.addFound(snapshot, treePids(snapshot, rootPid));
  const alive = new Set(tree.pids());
  signalTree(rootPid, alive, tree, options.signal);
  const graceEnd = Date.now() + options.killTimeoutMs;
  let killEnd = Number.POSITIVE_INFINITY;
  let isForced = false;
  let waitMs = 5;
  for (let poll = 1; ; poll += 1) {
    for (const pid of alive) if (!tree.isSame(pid)) alive.delete(pid);
    if (poll % RESCAN_EVERY_POLLS === 0) {
      // late children (forked after the first scan) join the tree and get the current signal
      const snapshot = recentSnapshot();
      for (const pid of [rootPid, ...alive]) {
        const late = treePids(snapshot, pid).filter((found) => !tree.has(found));
        for (const found of tree.addFound(snapshot, late)) {
          alive.add(found);
          tree.signal(found, isForced ? 'SIGKILL' : options.signal);
        }
      }
    }
    if (alive.size === 0) return { pids: tree.pids(), isForced, remaining: [] };
    const now = Date.now();
    if (!isForced && now >= graceEnd) {
      isForced = true;
      killEnd = now + (options.killWaitMs ?? DEFAULT_KILL_WAIT_MS);
      signalTree(rootPid, alive, tree, 'SIGKILL');
    } else if (isForced && now >= killEnd) {
      return { pids: tree.pids(), isForced, remaining: [...alive] };
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = Math.min(waitMs * 2, 50);
  }
}

/**
 * Resolves once none of these pids names the process it named when this was called (each is known by
 * its start time), polling every `pollMs`: for processes that outlived a tree stop.
 */
export async function whenGone(pids: number[], pollMs: number): Promise<void> {
  const set = new ProcessSet();
  for (const pid of pids) {
    const ticks = startTicksOf(pid);
    if (ticks !== null) set.add(pid, ticks);
  }
  while (set.pids().some((pid) => set.isSame(pid))) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Processes known by pid and start time, signalled only while the pid still names the same process. */
class ProcessSet {
  readonly #startTicks = new Map<number, number>();
  /** The process group each was in when found (what is known of it without `/proc`). */
  readonly #groups = new Map<number, number>();

  add(pid: number, startTicks: number, pgrp?: number): void {
    this.#startTicks.set(pid, startTicks);
    if (pgrp !== undefined) this.#groups.set(pid, pgrp);
  }

  /** Adds the live processes of `pids` as `snapshot` saw them; returns those added. */
  addFound(snapshot: ProcessSnapshot, pids: number[]): number[] {
    const added: number[] = [];
    for (const pid of pids) {
      const stat = snapshot.stats.get(pid);
      if (this.#startTicks.has(pid) || !stat || stat.state === 'Z' || stat.state === 'X') continue;
      this.#startTicks.set(pid, stat.startTicks);
      this.#groups.set(pid, stat.pgrp);
      added.push(pid);
    }
    return added;
  }

  has(pid: number): boolean {
    return this.#startTicks.has(pid);
  }

  pids(): number[] {
    return [...this.#startTicks.keys()];
  }

  /** True while `pid` is alive and still the process first seen with it (not a reuse of its pid). */
  isSame(pid: number): boolean {
    const known = this.#startTicks.get(pid);
    return known !== undefined && startTicksOf(pid) === known;
  }

  /** True while a process of this set is still a member of process group `pgid`. */
  hasGroupMember(pgid: number): boolean {
    if (!HAS_PROCFS) return true;
    for (const [pid, known] of this.#startTicks) {
      const stat = readProcStat(pid);
      if (stat && stat.pgrp === pgid && stat.startTicks === known && isLive(stat.state)) return true;
    }
    return false;
  }

  signal(pid: number, signal: NodeJS.Signals): void {
    if (this.isSame(pid)) kill(pid, signal);
  }

  /**
   * Signals `pid` unless it is a member of process group `pgid`, which was just sent the same signal:
   * a process must get a stop signal once (a second SIGINT or SIGTERM means "quit now" to many apps).
   */
  signalOutsideGroup(pid: number, signal: NodeJS.Signals, pgid: number): void {
    const known = this.#startTicks.get(pid);
    if (known === undefined) return;
    if (!HAS_PROCFS) {
      if (this.#groups.get(pid) !== pgid) this.signal(pid, signal);
      return;
    }
    const stat = readProcStat(pid);
    if (stat && stat.startTicks === known && isLive(stat.state) && stat.pgrp !== pgid) kill(pid, signal);
  }
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/** Start time of a live process (0 where `/proc` is missing); null when the pid names none. */
function startTicksOf(pid: number): number | null {
  if (!HAS_PROCFS) return isPidAlive(pid) ? 0 : null;
  const stat = readProcStat(pid);
  return stat && isLive(stat.state) ? stat.startTicks : null;
}

function isLive(state: string): boolean {
  return state !== 'Z' && state !== 'X';
}

/** A `/proc` scan at most 20 ms old, shared by concurrent stops (`stop all` of 100 apps scans once). */
export function recentSnapshot(): ProcessSnapshot {
  const now = Date.now();
  if (!sharedScan || now - sharedScan.at > SHARED_SCAN_MAX_AGE_MS)
    sharedScan = { at: now, snapshot: takeSnapshot() };
  return sharedScan.snapshot;
}

/** Sends `signal` once to every process of the tree: to the root's process group, then to those outside it. */
function signalTree(rootPid: number, pids: Iterable<number>, tree: ProcessSet, signal: NodeJS.Signals): void {
  let isGroupSignalled = false;
  // The group id is only ours while a process we know is still in it (an empty group's id can be reused).
  if (tree.hasGroupMember(rootPid)) {
    try {
      process.kill(-rootPid, signal);
      isGroupSignalled = true;
    } catch {
      // the group emptied meanwhile
    }
  }
  for (const pid of pids) {
    if (isGroupSignalled) tree.signalOutsideGroup(pid, signal, rootPid);
    else tree.signal(pid, signal);
  }
}
