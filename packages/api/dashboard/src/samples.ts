import type { ProcessInfo } from '@velos/core';

/**
 * The sum of `pick` over the running processes the monitor has sampled, or null when none has been: a
 * run's CPU and memory are 0 until its first sample (every 2 s), which the dashboard shows as "–", not
 * as "0 B" and "0.0 %" (the `--ai` output leaves them out likewise). A sampled process has memory above 0.
 */
export function sampledSum(
  processes: readonly ProcessInfo[],
  pick: (process: ProcessInfo) => number,
): number | null {
  const sampled = processes.filter((process) => process.pid !== null && process.memory > 0);
  return sampled.length === 0 ? null : sampled.reduce((total, process) => total + pick(process), 0);
}
