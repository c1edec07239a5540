import type { ProcessInfo } from '@velos/core';

/**
 * The row of the selection in `list` (the processes shown, of `all`): the process `id`'s; when it
 * left `all` (deleted) the one now in its row `lastIndex`, so a delete selects the next process, not
 * the first; when the filter hides it, the first row.
 */
export function selectionIndex(
  list: readonly ProcessInfo[],
  all: readonly ProcessInfo[],
  id: number | null,
  lastIndex: number,
): number {
  const found = list.findIndex((p) => p.id === id);
  if (found >= 0) return found;
  const isGone = id !== null && !all.some((p) => p.id === id);
  return isGone ? Math.max(0, Math.min(lastIndex, list.length - 1)) : 0;
}

/** The processes whose name or namespace contains `filter` (case-insensitive), in list order. */
export function visibleProcesses(processes: ProcessInfo[], filter: string): ProcessInfo[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return processes;
  return processes.filter(
    (p) => p.name.toLowerCase().includes(needle) || p.namespace.toLowerCase().includes(needle),
  );
}
