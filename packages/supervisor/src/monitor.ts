import { readFileSync } from 'node:fs';
import { ProcSampler, type TreeSums } from './proc-sampler.js';
import { HAS_PROCFS } from './proc-scan.js';

/**
 * Every this many samples the monitor reads the stat of every process of the machine (to find new
 * descendants and group members); in between only those of the trees it knows, and a target whose
 * process it does not know yet (a new run) brings the full scan forward.
 */
const SAMPLES_PER_FULL_SCAN = 5;

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
  /** The pid `cpu` and `memory` were sampled for: after a restart they belong to the previous run until the next sample. */
  sampledPid?: number | null;
  /** The pid `cpu` was measured for: a run's first sample only sets the baseline CPU is measured from. */
  cpuSampledPid?: number | null;
  /**
   * Processes seen in the tree by a sample and still alive, by pid with their start time: a stop finds
   * them after they left the tree (a grandchild that called setsid and whose parent exited, #8).
   */
  seenDescendants?: Map<number, number>;
}

/**
 * A periodic CPU/RSS sampler shared by all processes: one timer, one `/proc` scan per sample, into
 * buffers reused from one sample to the next (a sample allocates next to nothing, issue 17).
 */
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
  const sampler = new ProcSampler();
  const sums: TreeSums = { ticks: 0, rssPages: 0 };
  let timer: NodeJS.Timeout | null = null;
  let isStopped = false;
  let sampledAt = 0;
  let samplesSinceScan = SAMPLES_PER_FULL_SCAN;

  const sample = (): void => {
    let isSampling = false;
    /** True once the sampler's rows come from a scan of this sample. */
    let isFresh = false;
    let running = 0;
    const now = Date.now();
    sampledAt = now;
    for (const target of options.targets()) {
      if (target.pid === null) {
        target.cpu = 0;
        target.memory = 0;
        target.sampledPid = null;
        target.cpuSampledPid = null;
        continue;
      }
      running += 1;
      if (!HAS_PROCFS) continue;
      if (!isSampling && samplesSinceScan >= SAMPLES_PER_FULL_SCAN) {
        sampler.scan();
        isFresh = true;
      }
      isSampling = true;
      if (!sampler.sumTree(target.pid, sums, !isFresh)) {
        sampler.scan();
        isFresh = true;
        sampler.sumTree(target.pid, sums);
      }
      forgetGone(target, sampler);
      rememberDescendants(target, sampler);
      const ticks = sums.ticks;
      const base = baselines.get(target);
      if (base && base.pid === target.pid && now > base.at) {
        const cpuSeconds = Math.max(0, ticks - base.ticks) / CLOCK_TICKS_PER_SECOND;
        target.cpu = Math.round((cpuSeconds / ((now - base.at) / 1000)) * 1000) / 10;
        target.cpuSampledPid = target.pid;
      }
      if (base) {
        base.pid = target.pid;
        base.ticks = ticks;
        base.at = now;
      } else {
        baselines.set(target, { pid: target.pid, ticks, at: now });
      }
      target.memory = sums.rssPages * pageBytes;
      target.sampledPid = target.pid;
      if (target.cpu > target.cpuPeak) target.cpuPeak = target.cpu;
      if (target.memory > target.memoryPeak) target.memoryPeak = target.memory;
    }
    if (isSampling) samplesSinceScan = isFresh ? 1 : samplesSinceScan + 1;
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

/** Drops the target's remembered descendants that are no longer alive (as the same process). */
function forgetGone(target: MonitorTarget, sampler: ProcSampler): void {
  if (!target.seenDescendants) return;
  for (const [pid, startTicks] of target.seenDescendants) {
    const row = sampler.rowOf(pid);
    if (row < 0 || sampler.startTicks[row] !== startTicks) target.seenDescendants.delete(pid);
  }
}

/** Remembers the processes the last `sumTree` found below the target (its map made on the first one). */
function rememberDescendants(target: MonitorTarget, sampler: ProcSampler): void {
  for (let i = 0; i < sampler.visitedCount; i += 1) {
    const row = sampler.visited[i]!;
    const pid = sampler.pids[row]!;
    if (pid === target.pid || sampler.startTicks[row]! < 0) continue;
    target.seenDescendants ??= new Map();
    if (target.seenDescendants.get(pid) !== sampler.startTicks[row]) {
      target.seenDescendants.set(pid, sampler.startTicks[row]!);
    }
  }
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
