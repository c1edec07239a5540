import type { EventInput } from '@velos/core';
import type { PublishEvent } from '../events/event-bus.js';
import type { ProcessRecord } from '../process-record.js';

/** How one process is reloaded: in place (a cluster worker replaced), or by a restart. */
export interface ReloadSteps {
  /** Replaces a running cluster worker once its successor is ready; null = not a cluster worker. */
  reload(record: ProcessRecord): Promise<{ retired: Promise<void> } | null>;
  /** Restarts a process; false: it was not (deleted, or stopped by the user since the reload began). */
  restart(record: ProcessRecord): Promise<boolean>;
  /** OBS-2: receives one `process.reload_step` per process replaced (instance, old and new pid, step i/n). */
  publish?: PublishEvent;
}

/**
 * SUP-6: reloads processes one at a time, so the others keep serving; a process that is not a
 * running cluster worker is restarted (one that `restart` leaves is passed over, without an event). The first failure ends the reload (the processes not reached
 * keep their old run); it resolves once every replaced worker is gone.
 */
export async function reloadOneByOne(records: ProcessRecord[], steps: ReloadSteps): Promise<void> {
  const retiring: Promise<void>[] = [];
  try {
    for (const [i, record] of records.entries()) {
      const oldPid = record.run?.pid ?? null;
      const replaced = await steps.reload(record);
      if (replaced) retiring.push(replaced.retired);
      else if (!(await steps.restart(record))) continue;
      steps.publish?.(
        reloadStepEvent(record, oldPid, replaced ? 'reload' : 'restart', i + 1, records.length),
      );
    }
  } finally {
    await Promise.allSettled(retiring);
  }
}

/**
 * The `process.reload_step` event of the `step`-th of `steps` processes of a reload; its message says
 * `started` for a process that was not running, and `starting` while its new run has no pid yet (a
 * cluster worker being forked).
 */
export function reloadStepEvent(
  record: ProcessRecord,
  oldPid: number | null,
  how: 'reload' | 'restart',
  step: number,
  steps: number,
): EventInput {
  const name = record.app.spec.name;
  const newPid = record.run?.pid ?? null;
  const verb = how === 'reload' ? 'replaced' : oldPid === null ? 'started' : 'restarted';
  const pids = `${oldPid === null ? '' : `${oldPid} → `}${newPid ?? 'starting'}`;
  return {
    kind: 'process.reload_step',
    severity: 'info',
    app: name,
    id: record.id,
    message: `reload ${step}/${steps}: process ${record.id} (${name}, instance ${record.instance}) ${verb}, pid ${pids}`,
    fields: { instance: record.instance, old_pid: oldPid, new_pid: newPid, step, steps, how },
  };
}
