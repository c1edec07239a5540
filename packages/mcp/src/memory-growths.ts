import {
  findMemoryGrowth,
  MEMORY_GROWTH_HISTORY,
  type MemoryGrowth,
  type ProcessInfo,
  type VelosControl,
} from '@velos/core';

/**
 * The running processes whose memory grows steadily without `max_memory` (`findMemoryGrowth` on the
 * daemon's metrics history of `target`, the processes' own), by id; empty when the history cannot be
 * read (a daemon without it).
 */
export async function findGrowingMemory(
  control: Pick<VelosControl, 'metricsHistory' | 'describe'>,
  processes: readonly ProcessInfo[],
  target = 'all',
): Promise<Map<number, MemoryGrowth>> {
  const running = new Set(processes.filter((p) => p.pid !== null && p.status === 'online').map((p) => p.id));
  if (running.size === 0) return new Map();
  const histories = await control.metricsHistory({ target, ...MEMORY_GROWTH_HISTORY }).catch(() => []);
  const growing = histories.flatMap((history) => {
    const growth = running.has(history.id) ? findMemoryGrowth(history.t, history.memory) : null;
    return growth ? [{ id: history.id, growth }] : [];
  });
  // max_memory is in the spec: asked only of the few that grow
  const details = await Promise.all(growing.map(({ id }) => control.describe(String(id)).catch(() => [])));
  const bounded = new Set(
    details
      .flat()
      .filter((d) => d.spec.maxMemoryBytes !== undefined)
      .map((d) => d.id),
  );
  return new Map(growing.filter(({ id }) => !bounded.has(id)).map(({ id, growth }) => [id, growth]));
}
