import type { ProcessRecord } from '../process-record.js';

/** How one process is reloaded: in place (a cluster worker replaced), or by a restart. */
export interface ReloadSteps {
  /** Replaces a running cluster worker once its successor is ready; null = not a cluster worker. */
  reload(record: ProcessRecord): Promise<{ retired: Promise<void> } | null>;
  restart(record: ProcessRecord): Promise<void>;
}

/**
 * SUP-6: reloads processes one at a time, so the others keep serving; a process that is not a
 * running cluster worker is restarted. The first failure ends the reload (the processes not reached
 * keep their old run); it resolves once every replaced worker is gone.
 */
export async function reloadOneByOne(records: ProcessRecord[], steps: ReloadSteps): Promise<void> {
  const retiring: Promise<void>[] = [];
  try {
    for (const record of records) {
      const replaced = await steps.reload(record);
      if (replaced) retiring.push(replaced.retired);
      else await steps.restart(record);
    }
  } finally {
    await Promise.allSettled(retiring);
  }
}
