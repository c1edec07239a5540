import { normalizeAppName, type ProcessInfo } from '@velos/core';

/** What a target needs of a process to match it: its id, app name and namespace. */
export type TargetFields = Pick<ProcessInfo, 'id' | 'name' | 'namespace'>;

/**
 * The processes `target` names in a process list, as the daemon matches it (CLI-2): `all`, an id, the
 * instances of an app, then a namespace, the first that matches; none when nothing does.
 */
export function matchProcesses<T extends TargetFields>(processes: readonly T[], target: string): T[] {
  if (target === 'all') return [...processes];
  if (/^\d+$/.test(target)) {
    const byId = processes.filter((p) => p.id === Number(target));
    if (byId.length > 0) return byId;
  }
  const name = normalizeAppName(target);
  const byName = processes.filter((p) => p.name === name);
  if (byName.length > 0) return byName;
  return processes.filter((p) => p.namespace === name);
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
