import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { HostMetrics } from '@velos/core';

/** OBS-1: the machine's CPU, memory, load, the disk of `home` and network bytes. */
export function readHostMetrics(home: string): HostMetrics {
  return {
    cpuPercent: 0,
    cpuCount: cpus().length,
    memoryTotalBytes: totalmem(),
    memoryAvailableBytes: freemem(),
    load: loadavg() as [number, number, number],
    disk: { path: home, totalBytes: 0, freeBytes: 0, availableBytes: 0 },
    network: [],
  };
}
