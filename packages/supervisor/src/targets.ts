import { ErrorCodes, matchTarget, suggestKey, VelosError } from '@velos/core';
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
  throw targetNotFound(target, list);
}

/**
 * TARGET_NOT_FOUND for `target`, with the app name or namespace it was likely meant to be (one or two
 * edits away: `no process matches 'crashr' (did you mean 'crasher'?)`), so that a person or an agent
 * fixes a typo without listing the processes first; `data.meant` holds it. `detail` follows the
 * target in the message (the events filter's `, and no event names it`), before the hint.
 */
export function targetNotFound(target: string, records: Iterable<ProcessRecord>, detail = ''): VelosError {
  const known = new Set<string>();
  for (const record of records) {
    known.add(record.app.spec.name);
    known.add(record.app.spec.namespace);
  }
  const meant = suggestKey(target, [...known]);
  const hint = meant === null ? '' : ` (did you mean '${meant}'?)`;
  return new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches '${target}'${detail}${hint}`, {
    data: meant === null ? { target } : { target, meant },
  });
}
