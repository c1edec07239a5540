import type { Dependency } from '@velos/core';
import { probesOf } from '../probes/index.js';
import type { ProcessRecord } from '../process-record.js';

/**
 * Where a dependency a held app waits for stands, for `velos describe` (SUP-12): the statuses of its
 * processes, and for those online but not ready the latest failure of their probes. A dependant that
 * waits for a dependency that never gets healthy says why, not only that it waits.
 * @example dependencyState({ name: 'db', condition: 'healthy' }, records) // 'online, not ready (readiness: HTTP 503)'
 */
export function dependencyState(dependency: Dependency, records: ProcessRecord[]): string {
  if (records.length === 0) return 'not in the daemon';
  const first = records[0]!;
  if (first.app.spec.autostart === false && records.every((record) => record.status === 'stopped'))
    return `stopped (autostart false): velos start ${dependency.name} starts it`;
  if (dependency.condition === 'completed_successfully') {
    if (first.status === 'online' || first.status === 'stopping') return 'its run is in progress';
    if (first.status === 'scheduled') return 'scheduled, no run yet';
  }
  const states = new Set(records.map((record) => stateOf(record, dependency)));
  const text = [...states].join('; ');
  return records.length > 1 && states.size > 1 ? `its processes: ${text}` : text;
}

function stateOf(record: ProcessRecord, dependency: Dependency): string {
  if (record.status !== 'online' || dependency.condition !== 'healthy') return record.status;
  if (probesOf(record.app.spec).length === 0 || record.health?.ready === true) return 'online, ready';
  const failure = record.health?.lastFailure;
  const isThisRun = failure && record.startedAt !== null && failure.at >= record.startedAt;
  return isThisRun ? `online, not ready (${failure.probe}: ${failure.reason})` : 'online, not ready yet';
}
