import {
  findMemoryGrowth,
  formatBytes,
  type MemoryGrowth,
  type MetricsHistory,
  type ProcessDetail,
} from '@velos/core';

/**
 * The processes of `details` whose memory grows steadily without `max_memory`, by id: `findMemoryGrowth`
 * (as MCP `health_check`) on their metrics history; a stopped process or one with a limit is not judged.
 */
export function findGrowthsWithoutLimit(
  details: readonly ProcessDetail[],
  histories: readonly MetricsHistory[],
): Map<number, MemoryGrowth> {
  const judged = new Set(details.filter(isJudged).map((d) => d.id));
  const growths = new Map<number, MemoryGrowth>();
  for (const history of histories) {
    const growth = judged.has(history.id) ? findMemoryGrowth(history.t, history.memory) : null;
    if (growth) growths.set(history.id, growth);
  }
  return growths;
}

/** True when `d` runs without `max_memory`: the processes whose history is worth asking for. */
export function isJudged(d: ProcessDetail): boolean {
  return d.status === 'online' && d.pid !== null && d.spec.maxMemoryBytes === undefined;
}

/** The value of describe's `memory growth` line: `growing ~3 MB/min for 12 min (30M → 66M), no max_memory`. */
export function memoryGrowthText(growth: MemoryGrowth): string {
  const range = `${formatBytes(growth.fromBytes)} → ${formatBytes(growth.toBytes)}`;
  return `growing ~${growth.mbPerMin} MB/min for ${growth.minutes} min (${range}), no max_memory`;
}
