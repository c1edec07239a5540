import type { ProcessRecord } from './process-record.js';

/**
 * Runs `op` on a process after the operations already queued on it (whether they succeeded or
 * failed), so a stop, a restart and a delete of one process never interleave; `onSettled` runs once
 * `op` has settled.
 */
export function queueOperation<T>(
  record: ProcessRecord,
  op: () => Promise<T>,
  onSettled: () => void,
): Promise<T> {
  const result = record.ops.then(op, op);
  record.ops = result.catch(() => undefined);
  record.ops.then(onSettled);
  return result;
}
