import { readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { HostMetrics } from '@velos/core';
import { type CpuTicks, cpuPercentBetween, parseMemInfo, parseNetDev, parseProcStat } from './proc-host.js';

/** The CPU ticks of the previous snapshot (zeros before the first: its figure is since boot). */
let previousTicks: CpuTicks = { busy: 0, total: 0 };

/**
 * OBS-1: the machine's CPU (busy percent since the previous call), memory, load, the disk of `home`
 * and network bytes; from /proc on Linux, from `os` where /proc is absent (no network figures then).
 */
export function readHostMetrics(home: string): HostMetrics {
  const ticks = parseProcStat(readProc('/proc/stat')) ?? osTicks();
  const cpuPercent = cpuPercentBetween(previousTicks, ticks);
  previousTicks = ticks;
  const memory = parseMemInfo(readProc('/proc/meminfo'));
  return {
    cpuPercent,
    cpuCount: cpus().length,
    memoryTotalBytes: memory?.totalBytes ?? totalmem(),
    memoryAvailableBytes: memory?.availableBytes ?? freemem(),
    load: loadavg() as [number, number, number],
    disk: diskOf(home),
    network: parseNetDev(readProc('/proc/net/dev')),
  };
}

function readProc(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

/** CPU ticks summed over `os.cpus()` (macOS, BSD). */
function osTicks(): CpuTicks {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const sum = times.user + times.nice + times.sys + times.irq + times.idle;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total };
}

function diskOf(home: string): HostMetrics['disk'] {
  try {
    const fs = statfsSync(home);
    return {
      path: home,
      totalBytes: fs.blocks * fs.bsize,
      freeBytes: fs.bfree * fs.bsize,
      availableBytes: fs.bavail * fs.bsize,
    };
  } catch {
    return { path: home, totalBytes: 0, freeBytes: 0, availableBytes: 0 };
  }
}
