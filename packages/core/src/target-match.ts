/** What matching a target (CLI-2) reads of a process: its id, its app's name and namespace. */
export interface TargetFields {
  id: number;
  name: string;
  namespace: string;
}

/**
 * The items a target (CLI-2) names, in their order: `all`, a numeric id, a name (every instance of the
 * app) or a namespace, tried in that order, the first that matches; none when nothing does. The one
 * rule of the daemon (which then says TARGET_NOT_FOUND) and of the CLI's several-targets plan.
 * @example matchTarget(processes, 'api', (p) => p) // every instance of api
 */
export function matchTarget<T>(items: readonly T[], target: string, fields: (item: T) => TargetFields): T[] {
  if (target === 'all') return [...items];
  if (/^\d+$/.test(target)) {
    const id = Number(target);
    const byId = items.filter((item) => fields(item).id === id);
    if (byId.length > 0) return byId;
  }
  const byName = items.filter((item) => fields(item).name === target);
  if (byName.length > 0) return byName;
  return items.filter((item) => fields(item).namespace === target);
}
