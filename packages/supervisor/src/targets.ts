import { ErrorCodes, matchTarget, VelosError } from '@velos/core';
import type { ProcessRecord } from './process-record.js';

/**
 * Resolves a target (CLI-2) to processes, sorted by id: `all`, a numeric id, a name (every
 * instance) or a namespace, tried in that order; nothing matching is TARGET_NOT_FOUND.
 */
export function matchTargets(records: Iterable<ProcessRecord>, target: string): ProcessRecord[] {
  const list = [...records].sort((a, b) => a.id - b.id);
  // `all` with no process is no error (the commands say there are none)
  if (target === 'all') return list;
  const hit = matchTarget(list, target, (record) => ({
    id: record.id,
    name: record.app.spec.name,
    namespace: record.app.spec.namespace,
  }));
  if (hit.length > 0) return hit;
  throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches '${target}'`, { data: { target } });
}
