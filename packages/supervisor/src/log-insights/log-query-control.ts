import { ErrorCodes, fieldErrorData, type VelosControl, VelosError } from '@velos/core';
import type { EventBus } from '../events/event-bus.js';
import { acquireLogAnswer } from '../log-queries.js';
import type { ProcessRecord } from '../process-record.js';
import type { ProcessTable } from '../process-table.js';

/**
 * `logs.search` and `logs.analyze` (ENG-2…7 on apps' files): the handlers load the log engine with
 * `import()` on the first query, never at daemon start; each query holds 4 MiB of the daemon's 16 MiB
 * of log answers while it runs, so at most four run at once and the others wait their turn. A search
 * reads every app its target selects (`all`, a namespace, a /regex/ of names) within one budget; a
 * view reads one app, and the app's exits from the event store of `bus` (the summary's exits and health,
 * the exit context of its lines).
 */
export function createLogQueryControl(
  table: ProcessTable,
  bus?: Pick<EventBus, 'query'>,
): Pick<VelosControl, 'searchLogs' | 'analyzeLogs'> {
  const run = async <T>(work: () => Promise<T>) => {
    const release = await acquireLogAnswer();
    try {
      return await work();
    } finally {
      setImmediate(release);
    }
  };
  return {
    searchLogs: async (request) => {
      const records = await selectRecords(table, request.target);
      // loaded with the query, like the engine: an idle daemon keeps none of it in memory
      const apps = (await import('./log-target.js')).logQueryTargets(records);
      return run(async () => (await import('./log-search.js')).searchLogs(apps, request));
    },
    analyzeLogs: async (request) => {
      const records = await selectRecords(table, request.target);
      const { readExitFacts } = await import('./exit-history.js');
      const readExits =
        bus === undefined
          ? undefined
          : (name: string, range: { since?: number; until?: number }) => readExitFacts(bus, name, range);
      const app = (await import('./log-target.js')).logQueryTarget(records, request.target, readExits);
      return run(async () => (await import('./log-analyze.js')).analyzeLogs(app, request));
    },
  };
}

/**
 * The records of a target: an app name, a process id, a namespace, `all`, or a `/regex/` of app names
 * (compiled as a grep pattern is: no backreferences or lookarounds, so it cannot stall the daemon).
 */
async function selectRecords(table: ProcessTable, target: string): Promise<ProcessRecord[]> {
  if (!(target.length > 2 && target.startsWith('/') && target.endsWith('/'))) return table.select(target);
  const { compileGrep } = await import('./grep-pattern.js');
  let pattern: RegExp;
  try {
    pattern = compileGrep(target.slice(1, -1));
  } catch (error) {
    const detail = fieldErrorData(error)?.detail ?? String(error);
    throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `target ${target}: ${detail}`);
  }
  const records = table.select('all').filter((record) => pattern.test(record.app.spec.name));
  if (records.length === 0) {
    throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process name matches ${target}`, {
      data: { target },
    });
  }
  return records;
}
