// What a results table must say about the machine it was measured on.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';

/** Date, CPU count (`nproc`), CPU model, memory, kernel, Node version and current load. */
export function collectEnvironment() {
  return {
    date: new Date().toISOString(),
    nproc: readNproc(),
    cpuModel: readCpuModel(),
    memoryTotalMB: Math.round(totalmem() / 1e6),
    kernel: release(),
    node: process.version,
    loadavg: currentLoad(),
  };
}

/** The current 1, 5 and 15 minute load averages. */
export function currentLoad() {
  return loadavg().map((load) => Math.round(load * 100) / 100);
}

function readNproc() {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return availableParallelism();
  }
}

function readCpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match ? match[1].trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}
