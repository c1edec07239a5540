import type { ExitReason, ProcessStatus } from '@velos/core';
import type { ProcessRecord } from './process-record.js';

/**
 * Why a process changed status: an exit or restart reason, or `start` (a start, restore or scale
 * launches it), `schedule` (a job waits for its next run), `dependency` (a `depends_on` failed).
 */
export type StatusReason = ExitReason | 'start' | 'schedule' | 'dependency';

/** A process changed status (`from` → `to`), with why when it is known and when (epoch ms). */
export interface StatusEvent {
  kind: 'status';
  id: number;
  name: string;
  from: ProcessStatus;
  to: ProcessStatus;
  reason: StatusReason | null;
  at: number;
}

/**
 * The one place where a process's status changes: sets it and emits a `StatusEvent` to the
 * subscribers of its table; setting the status it already has changes nothing and emits nothing.
 */
export function setStatus(
  record: ProcessRecord,
  to: ProcessStatus,
  reason: StatusReason | null = null,
): void {
  const from = record.status;
  if (from === to) return;
  (record as { status: ProcessStatus }).status = to;
  record.isStatusRestored = false;
  record.statusEvents.emit({
    kind: 'status',
    id: record.id,
    name: record.app.spec.name,
    from,
    to,
    reason,
    at: Date.now(),
  });
}

/**
 * Gives a process just restored from the state files (see `state-restore.ts`) the status it had under
 * the previous daemon (`errored`), without an event: it did not just fail again. `isStatusRestored`
 * says so until its next status change (the alert condition `errored` does not count it meanwhile).
 */
export function restoreStatus(record: ProcessRecord, status: ProcessStatus): void {
  (record as { status: ProcessStatus }).status = status;
  record.isStatusRestored = true;
}
