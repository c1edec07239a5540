import type { VelosControl } from '@velos/core';
import { acquireLogAnswer } from '../log-queries.js';
import type { ProcessTable } from '../process-table.js';
import { logQueryTarget } from './log-target.js';

/**
 * `logs.search` and `logs.analyze` (ENG-2…7 on an app's files): the handlers load the log engine
 * with `import()` on the first query, never at daemon start; each query holds 4 MiB of the daemon's
 * 16 MiB of log answers while it runs, so at most four run at once and the others wait their turn.
 */
export function createLogQueryControl(table: ProcessTable): Pick<VelosControl, 'searchLogs' | 'analyzeLogs'> {
  const run = async <T>(target: string, work: (target: ReturnType<typeof logQueryTarget>) => Promise<T>) => {
    const app = logQueryTarget(table.select(target), target);
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
