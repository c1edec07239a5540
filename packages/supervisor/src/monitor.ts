import { readFileSync } from 'node:fs';
import { HAS_PROCFS, type ProcessSnapshot, takeSnapshot, treePids } from './proc-scan.js';

/** Linux reports CPU time in USER_HZ ticks, 100 per second on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The fields the monitor reads and writes on each supervised process. */
export interface MonitorTarget {
  pid: number | null;
  /** CPU percent of the tree, 100 = one core. */
  cpu: number;
  /** RSS of the tree in bytes. */
  memory: number;
  cpuPeak: number;
  memoryPeak: number;
  /**
   * Processes seen in the tree by a sample and still alive, by pid with their start time: a stop finds
   * them after they left the tree (a grandchild that called setsid and whose parent exited, #8).
   */
  seenDescendants?: Map<number, number>;
}

/** A periodic CPU/RSS sampler shared by all processes: one timer, one `/proc` scan per sample. */
export interface Monitor {
  /** Takes one sample now. */
  sample(): void;
  /** Starts the timer if it is not running (call when a process comes online). */
  wake(): void;
  /** Stops the timer for good. */
  stop(): void;
  /** OBS-4: ms since the last sample (or since the timer started), null while the monitor idles. */
  sampleAgeMs(now?: number): number | null;
}

interface Baseline {
  pid: number;
  ticks: number;
  at: number;
}

/** Creates the monitor; `targets` lists the processes to sample, the timer idles when none has a pid. */
export function createMonitor(options: {
  intervalMs: number;
  targets: () => Iterable<MonitorTarget>;
  /** Called after every sample, e.g. to enforce memory limits on the fresh values. */
  onSampled?: () => void;
}): Monitor {
  const baselines = new WeakMap<MonitorTarget, Baseline>();
  const pageBytes = HAS_PROCFS ? readPageBytes() : 0;
  let timer: NodeJS.Timeout | null = null;
  let isStopped = false;
  let sampledAt = 0;

  const sample = (): void => {
    let snapshot: ProcessSnapshot | null = null;
    let running = 0;
    const now = Date.now();
    sampledAt = now;
    for (const target of options.targets()) {
      if (target.pid === null) {
        target.cpu = 0;
        target.memory = 0;
        continue;
      }
      running += 1;
      if (!HAS_PROCFS) continue;
      snapshot ??= takeSnapshot();
      let ticks = 0;
      let pages = 0;
      const seen = rememberedAlive(target, snapshot);
      for (const pid of treePids(snapshot, target.pid)) {
        const stat = snapshot.stats.get(pid);
        if (!stat) continue;
        ticks += stat.ticks;
        pages += stat.rssPages;
        if (pid !== target.pid) seen.set(pid, stat.startTicks);
      }
      const base = baselines.get(target);
      if (base && base.pid === target.pid && now > base.at) {
        const cpuSeconds = Math.max(0, ticks - base.ticks) / CLOCK_TICKS_PER_SECOND;
        target.cpu = Math.round((cpuSeconds / ((now - base.at) / 1000)) * 1000) / 10;
      }
      baselines.set(target, { pid: target.pid, ticks, at: now });
      target.memory = pages * pageBytes;
      if (target.cpu > target.cpuPeak) target.cpuPeak = target.cpu;
      if (target.memory > target.memoryPeak) target.memoryPeak = target.memory;
    }
    if (running === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
    if (running > 0) options.onSampled?.();
  };

  return {
    sample,
    wake() {
      if (timer || isStopped) return;
      sampledAt = Date.now();
      timer = setInterval(sample, options.intervalMs);
      timer.unref();
    },
    stop() {
      isStopped = true;
      if (timer) clearInterval(timer);
      timer = null;
    },
    sampleAgeMs(now = Date.now()) {
      return timer ? Math.max(0, now - sampledAt) : null;
    },
  };
}

/** The target's remembered descendants, those no longer alive (as the same process) dropped. */
function rememberedAlive(target: MonitorTarget, snapshot: ProcessSnapshot): Map<number, number> {
  target.seenDescendants ??= new Map();
  for (const [pid, startTicks] of target.seenDescendants) {
    if (snapshot.stats.get(pid)?.startTicks !== startTicks) target.seenDescendants.delete(pid);
  }
  return target.seenDescendants;
}

/** Page size without spawning `getconf`: our own RSS in bytes over our resident pages, to a power of two. */
function readPageBytes(): number {
  try {
    const residentPages = Number(readFileSync('/proc/self/statm', 'latin1').split(' ')[1]);
    const ratio = process.memoryUsage.rss() / residentPages;
    return residentPages > 0 && Number.isFinite(ratio) ? 2 ** Math.round(Math.log2(ratio)) : 4096;
  } catch {
    return 4096;
  }
}
