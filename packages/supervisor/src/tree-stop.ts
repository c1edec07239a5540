import { isPidAlive, type ProcessSnapshot, takeSnapshot, treePids } from './proc-scan.js';

/** How to stop a process tree. */
export interface StopTreeOptions {
  /** Signal sent first to every process of the tree. */
  signal: NodeJS.Signals;
  /** Grace period before SIGKILL. */
  killTimeoutMs: number;
  /** How long to wait after SIGKILL before giving up on a process (default 5 s). */
  killWaitMs?: number;
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

const RESCAN_EVERY_POLLS = 8;
/** Concurrent stops (`stop all` of 100 apps) share one `/proc` scan when it is this fresh. */
const SHARED_SCAN_MAX_AGE_MS = 20;

let sharedScan: { at: number; snapshot: ProcessSnapshot } | null = null;

/**
 * Stops a whole process tree (SUP-4): sends `signal` to the process group and every descendant,
 * polls until all are gone, and SIGKILLs what is left after `killTimeoutMs`. Resolves once every
 * pid of the tree is gone (zombies count as gone).
 */
export async function stopTree(rootPid: number, options: StopTreeOptions): Promise<StopTreeResult> {
  const all = new Set<number>([rootPid, ...treePids(recentSnapshot(), rootPid)]);
  const alive = new Set(all);
  signalTree(rootPid, alive, options.signal);
  const graceEnd = Date.now() + options.killTimeoutMs;
  let killEnd = Number.POSITIVE_INFINITY;
  let isForced = false;
  let waitMs = 5;
  for (let poll = 1; ; poll += 1) {
    for (const pid of alive) if (!isPidAlive(pid)) alive.delete(pid);
    if (poll % RESCAN_EVERY_POLLS === 0) {
      // late children (forked after the first scan) join the tree and get the current signal
      const snapshot = recentSnapshot();
      for (const pid of [rootPid, ...alive]) {
        for (const found of treePids(snapshot, pid)) {
          if (all.has(found) || !isPidAlive(found)) continue;
          all.add(found);
          alive.add(found);
          sendSignal(found, isForced ? 'SIGKILL' : options.signal);
        }
      }
    }
    if (alive.size === 0) return { pids: [...all], isForced, remaining: [] };
    const now = Date.now();
    if (!isForced && now >= graceEnd) {
      isForced = true;
      killEnd = now + (options.killWaitMs ?? 5000);
      signalTree(rootPid, alive, 'SIGKILL');
    } else if (isForced && now >= killEnd) {
      return { pids: [...all], isForced, remaining: [...alive] };
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = Math.min(waitMs * 2, 50);
  }
}

function recentSnapshot(): ProcessSnapshot {
  const now = Date.now();
  if (!sharedScan || now - sharedScan.at > SHARED_SCAN_MAX_AGE_MS)
    sharedScan = { at: now, snapshot: takeSnapshot() };
  return sharedScan.snapshot;
}

function signalTree(rootPid: number, pids: Iterable<number>, signal: NodeJS.Signals): void {
  try {
    process.kill(-rootPid, signal);
  } catch {
    // the group is already empty, or the root never led one
  }
  for (const pid of pids) sendSignal(pid, signal);
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}
