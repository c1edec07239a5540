import { matchTarget, normalizeAppName, type TargetFields } from '@velos/core';

export type { TargetFields } from '@velos/core';

/** The processes `target` names in a process list, as the daemon matches it (CLI-2, `matchTarget`). */
export function matchProcesses<T extends TargetFields>(processes: readonly T[], target: string): T[] {
  return matchTarget(processes, normalizeAppName(target), (p) => p);
}

/**
 * The words to act on for `target` so that each process is acted on once (PM2 matches every target of
 * a command first, then acts): none when every process it matches came with an earlier target (`velos
 * delete 0 0`, `delete api 0` for an instance of api), the ids of the others when some did, the target
 * itself otherwise, and also when it matches nothing here (the daemon then says so). `acted` holds the
 * ids of the earlier targets; those of this one are added.
 */
export function wordsToAct(processes: readonly TargetFields[], target: string, acted: Set<number>): string[] {
  const ids = matchProcesses(processes, target).map((p) => p.id);
  if (ids.length === 0) return [target];
  const fresh = ids.filter((id) => !acted.has(id));
  for (const id of ids) acted.add(id);
  if (fresh.length === ids.length) return [target];
  return fresh.map(String);
}
