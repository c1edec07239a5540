import type { ProcessInfo } from '@velos/core';
import { formatDuration } from './format.js';

// The job facts the page shows, from its `velos list` row.

/**
 * When a job runs next, as `velos list` says it (`next in 4m`): `in 4 m`, `due now` once the time has come,
 * `none` when no run is planned (no schedule left, or the job is stopped); null for a service.
 */
export function nextRunText(p: Pick<ProcessInfo, 'type' | 'job'>, now: number): string | null {
  if (p.type !== 'job') return null;
  const at = p.job?.nextRunAt ?? null;
  if (at === null) return 'none';
  return at - now < 1000 ? 'due now' : `in ${formatDuration(at - now)}`;
}

/**
 * What changes when a job's run starts or ends (its status, runs so far, the latest run and its outcome):
 * the runs table reads them again when it changes, not only every 15 s.
 */
export function runsKey(p: Pick<ProcessInfo, 'status' | 'job'>): string {
  const last = p.job?.lastRun;
  return `${p.status}:${p.job?.runs ?? 0}:${last?.seq ?? 0}:${last?.outcome ?? ''}`;
}
