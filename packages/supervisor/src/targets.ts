import { ErrorCodes, VelosError } from '@velos/core';
import type { ProcessRecord } from './process-record.js';

/**
 * Resolves a target (CLI-2) to processes, sorted by id: `all`, a numeric id, a name (every
 * instance) or a namespace, tried in that order; nothing matching is TARGET_NOT_FOUND.
 */
export function matchTargets(records: Iterable<ProcessRecord>, target: string): ProcessRecord[] {
  const list = [...records].sort((a, b) => a.id - b.id);
  if (target === 'all') return list;
  if (/^\d+$/.test(target)) {
    const id = Number(target);
    const hit = list.filter((record) => record.id === id);
    if (hit.length > 0) return hit;
  }
  const byName = list.filter((record) => record.app.spec.name === target);
  if (byName.length > 0) return byName;
  const byNamespace = list.filter((record) => record.app.spec.namespace === target);
  if (byNamespace.length > 0) return byNamespace;
  throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches '${target}'`, { data: { target } });
}
