import type { LogLine, LogStreamFilter, Subscription, VelosControl } from '@velos/core';
import type { EventBus } from '../events/event-bus.js';
import { acquireLogAnswer, missingLogFiles } from '../log-queries.js';
import type { ProcessTable } from '../process-table.js';
import type { LogQueryTarget, ReadExits } from './log-target.js';
import { selectLogRecords } from './log-target-records.js';

/**
 * `logs.search` and `logs.analyze` (ENG-2…7 on apps' files): the handlers load the log engine with
 * `import()` on the first query, never at daemon start; each query holds 4 MiB of the daemon's 16 MiB
 * of log answers while it runs, so at most four run at once and the others wait their turn. A search
 * or a view reads every app its target selects (`all`, a namespace, a /regex/ of names) within one
 * budget; a view reads each app's exits from the event store of `bus` (the summary's exits and health,
 * the exit context of its lines), and so does a search by level (the exit context of its lines).
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
      const records = selectLogRecords(table, request.target);
      // loaded with the query, like the engine: an idle daemon keeps none of it in memory; a search by
      // level raises the lines before a crash as a summary does (the exits are read only then)
      const readExits = request.level === undefined ? undefined : await exitReader(bus);
      const apps = (await import('./log-target.js')).logQueryTargets(records, readExits);
      const result = await run(async () => (await import('./log-search.js')).searchLogs(apps, request));
      return withMissingFiles(result, apps, request.stream);
    },
    analyzeLogs: async (request) => {
      const records = selectLogRecords(table, request.target);
      const { logQueryTargets, pidTargetRecords } = await import('./log-target.js');
      // some instances of an app sharing JSON Lines files: their records are told by pid
      const byPid = pidTargetRecords(records);
      const pids =
        byPid.length === 0 ? null : await (await import('./instance-pids.js')).instancePids(bus, byPid);
      const apps = logQueryTargets(records, await exitReader(bus), pids);
      const result = await run(async () => (await import('./log-analyze.js')).analyzeLogs(apps, request));
      return withMissingFiles(result, apps, request.stream);
    },
  };
}

/**
 * `result` with the current files of `apps` (of `stream`) that are gone (`missingFiles`): removed
 * under the daemon, their lines were not read, which an answer of no lines would not say.
 */
async function withMissingFiles<T extends { missingFiles?: string[] }>(
  result: T,
  apps: readonly LogQueryTarget[],
  stream: LogStreamFilter | undefined,
): Promise<T> {
  const { queryFilesOf } = await import('./log-target.js');
  const paths = apps.flatMap((app) =>
    queryFilesOf(app).flatMap((files) => {
      if (stream === 'out') return [files.outPath];
      if (stream === 'err') return [files.errPath];
      return [files.outPath, files.errPath];
    }),
  );
  const missingFiles = await missingLogFiles(paths);
  return missingFiles.length === 0 ? result : { ...result, missingFiles };
}

/**
 * `logs` and `logs.follow` with `withLevels`: the levels of the lines a client reads (see
 * `LineLeveler`), the log engine loaded with `import()` on the first such read. `tail` gives a tail's
 * lines their levels with the exit context (the app's exits read from the event store of `bus`);
 * `follow` those of a live follow, one batch after another (no exit is known yet when a line comes).
 */
export function createLineLevels(table: ProcessTable, bus?: Pick<EventBus, 'query'>) {
  return {
    tail: async (target: string | undefined, lines: LogLine[]): Promise<LogLine[]> => {
      if (lines.length === 0) return lines;
      const apps = (await import('./log-target.js')).logQueryTargets(
        selectLogRecords(table, target),
        await exitReader(bus),
      );
      return (await import('./line-levels.js')).levelTail(lines, apps);
    },
    follow: (subscription: Subscription<LogLine[]>): Subscription<LogLine[]> => {
      const rulesOf = (name: string) =>
        table.sorted().find((record) => record.app.spec.name === name)?.app.spec.logRules;
      const leveled = (async function* () {
        const { LineLeveler } = await import('./line-levels.js');
        const leveler = new LineLeveler(rulesOf);
        for await (const lines of subscription) yield leveler.level(lines);
      })();
      return { [Symbol.asyncIterator]: () => leveled, cancel: () => subscription.cancel() };
    },
  };
}

/** Reads an app's exits from the event store of `bus` (none: the exits are unknown). */
async function exitReader(bus: Pick<EventBus, 'query'> | undefined): Promise<ReadExits | undefined> {
  if (bus === undefined) return undefined;
  const { readExitFacts } = await import('./exit-history.js');
  return (name, range, ids) => readExitFacts(bus, name, range, ids);
}
