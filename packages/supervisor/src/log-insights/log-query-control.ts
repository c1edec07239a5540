import type { VelosControl } from '@velos/core';
import { acquireLogAnswer } from '../log-queries.js';
import type { ProcessTable } from '../process-table.js';
import type { LogQueryTarget } from './log-target.js';

/**
 * `logs.search` and `logs.analyze` (ENG-2…7 on an app's files): the handlers load the log engine
 * with `import()` on the first query, never at daemon start; each query holds 4 MiB of the daemon's
 * 16 MiB of log answers while it runs, so at most four run at once and the others wait their turn.
 */
export function createLogQueryControl(table: ProcessTable): Pick<VelosControl, 'searchLogs' | 'analyzeLogs'> {
  const run = async <T>(target: string, work: (target: LogQueryTarget) => Promise<T>) => {
    const records = table.select(target);
    // loaded with the query, like the engine: an idle daemon keeps none of it in memory
    const app = (await import('./log-target.js')).logQueryTarget(records, target);
    const release = await acquireLogAnswer();
    try {
      return await work(app);
    } finally {
      setImmediate(release);
    }
  };
  return {
    searchLogs: (request) =>
      run(request.target, async (app) => (await import('./log-search.js')).searchLogs(app, request)),
    analyzeLogs: (request) =>
      run(request.target, async (app) => (await import('./log-analyze.js')).analyzeLogs(app, request)),
  };
}
