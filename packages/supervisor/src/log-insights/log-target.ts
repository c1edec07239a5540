import type { LogErroredInfo, LogFormat, LogRuleSpec } from '@velos/core';
import type { ExitFact } from '@velos/log-engine';
import { instanceLogPaths } from '../instance-log-paths.js';
import type { ProcessRecord } from '../process-record.js';

/** Files a log query reads, and the process id the lines read from them are shown under. */
export interface LogQueryFiles {
  id: number;
  outPath: string;
  errPath: string;
  /** The Velos home's logs directory: the time index of a file kept elsewhere is under it (see `timeIndexPath`). */
  homeLogsDir?: string;
}

/** The app whose files a log query reads, and what is needed to read them back. */
export interface LogQueryTarget {
  name: string;
  /** The first process id of the app (lines read from a shared file are shown under it). */
  id: number;
  outPath: string;
  errPath: string;
  /**
   * With `log_per_instance`, the files of each process the target selected, read instead of
   * `outPath`/`errPath` (which no process writes then): see `queryFilesOf`.
   */
  instanceFiles?: LogQueryFiles[];
  /**
   * Set when the target selected some of the app's processes (`velos logs 3` of one instance) and
   * they share their files with the others: the ids of every process of the app, whose lines the files
   * hold and the answer gives, as a file line cannot be told whose.
   */
  sharedBy?: number[];
  /**
   * Set instead of `sharedBy` when those shared files are JSON Lines and the pids of the selected
   * processes are known: a record holds its writer's pid, so only theirs are read.
   */
  pids?: ReadonlySet<number>;
  format: LogFormat;
  dateFormat?: string;
  /** False when the app opted out of the live log engine (`log_engine = false`). */
  hasLiveEngine: boolean;
  /** The Velos home's logs directory: the time index of a file kept elsewhere is under it (see `timeIndexPath`). */
  homeLogsDir?: string;
  /**
   * Where its lines' times come from: `arrival` (the default), the time index the daemon keeps of
   * each file; `written`, the time each line states, as the log engine reads it (`recordTime`), a line
   * without one taking the time of the line before it (lines read from stdin: no index, and their
   * arrival says nothing of when they were logged).
   */
  lineTimes?: LineTimes;
  /** The app's `log_rules`: classification rules tried before the built-in ones. */
  logRules?: readonly LogRuleSpec[];
  /** The latest restart of one of its processes, for the summary. */
  lastRestart?: { ts: number; reason?: string };
  /** How many of its selected processes are `errored` now, of how many (the summary's health); absent: unknown. */
  errored?: LogErroredInfo;
  /** The app's exits in a time range (either end open), from the daemon's event store; absent: unknown. */
  exits?(range: { since?: number; until?: number }): Promise<ExitFact[]>;
  /** Writes the time index entries still in memory, so the files say everything captured. */
  flushTimeIndex(): void;
}

/** Where the times of a log file's lines come from (see `LogQueryTarget.lineTimes`). */
export type LineTimes = 'arrival' | 'written';

/** Maximum time one `logs.search` or `logs.analyze` reads before answering with what it has. */
export const LOG_QUERY_BUDGET_MS = 10_000;

/** Environment variable that sets the time budget of `logs.analyze` in ms (internal: tests make it short). */
export const LOG_QUERY_BUDGET_VARIABLE = 'VELOS_LOG_QUERY_BUDGET_MS';

/** The time budget of one `logs.analyze`: `VELOS_LOG_QUERY_BUDGET_MS` when a positive integer, else 10 s. */
export function logQueryBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[LOG_QUERY_BUDGET_VARIABLE];
  const ms = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : LOG_QUERY_BUDGET_MS;
}

/** Reads an app's exits in a time range (the daemon's event store), only those of processes `ids` when given. */
export type ReadExits = (
  app: string,
  range: { since?: number; until?: number },
  ids?: readonly number[],
) => Promise<ExitFact[]>;

/** The files a query of `target` reads: each selected instance's own (`log_per_instance`), or the app's. */
export function queryFilesOf(target: LogQueryTarget): LogQueryFiles[] {
  const files = target.instanceFiles ?? [{ id: target.id, outPath: target.outPath, errPath: target.errPath }];
  const { homeLogsDir } = target;
  return homeLogsDir === undefined ? files : files.map((file) => ({ ...file, homeLogsDir }));
}

/** The apps of the records a target selected, one each, in the order of their first process id. */
export function logQueryTargets(
  records: ProcessRecord[],
  readExits?: ReadExits,
  pids?: ReadonlySet<number> | null,
): LogQueryTarget[] {
  const sorted = [...records].sort((a, b) => a.id - b.id);
  const apps = [...new Set(sorted.map((record) => record.app))];
  return apps.map((app) => toTarget(app, sorted, readExits, pids ?? undefined));
}

/**
 * The records of a target that selected some processes of one app sharing JSON Lines files (`velos
 * logs 3` of one instance), whose lines `pids` (see `instancePids`) can tell apart; else none.
 */
export function pidTargetRecords(records: ProcessRecord[]): ProcessRecord[] {
  const app = records[0]?.app;
  if (app === undefined || records.some((record) => record.app !== app)) return [];
  if (app.spec.logPerInstance === true || app.spec.logFormat !== 'json') return [];
  const selected = new Set(records.map((record) => record.id));
  return app.ids.some((id) => !selected.has(id)) ? records : [];
}

function toTarget(
  app: ProcessRecord['app'],
  sorted: ProcessRecord[],
  readExits: ReadExits | undefined,
  pids: ReadonlySet<number> | undefined,
): LogQueryTarget {
  const mine = sorted.filter((record) => record.app === app);
  const selected = new Set(mine.map((record) => record.id));
  const isSome = app.ids.some((id) => !selected.has(id));
  // each instance writes its own files: the selected ones' are read, and only their exits count
  const isOwnFiles = app.spec.logPerInstance === true;
  // shared JSON Lines files: the selected ones' records are told by their pids, and only their exits count
  const isByPid = isSome && !isOwnFiles && pids !== undefined;
  const ids = (isOwnFiles || isByPid) && isSome ? [...selected] : undefined;
  let lastRestart: LogQueryTarget['lastRestart'];
  const { homeLogsDir } = mine[0]!.pipeline;
  // the supervisor gave up on them: the app's health is its status's, not its quiet logs'
  const errored = mine.filter((record) => record.status === 'errored').length;
  for (const record of mine) {
    // a stopped or errored process has no current run: its latest run's start is kept (process-history.ts)
    const startedAt = record.startedAt ?? record.lastStartedAt;
    if (record.restarts > 0 && startedAt !== null && (lastRestart?.ts ?? 0) < startedAt) {
      // why that run started: once it ended, lastExitReason says why it ended (a stop is no restart)
      const reason =
        record.lastStartReason !== undefined
          ? record.lastStartReason
          : record.startedAt !== null
            ? record.lastExitReason
            : null;
      lastRestart = { ts: startedAt, ...(reason ? { reason } : {}) };
    }
  }
  return {
    name: app.spec.name,
    id: mine[0]!.id,
    outPath: app.outPath,
    errPath: app.errPath,
    ...(homeLogsDir === undefined ? {} : { homeLogsDir }),
    ...(isOwnFiles
      ? { instanceFiles: mine.map((record) => ({ ...ownFiles(app, record.id), id: record.id })) }
      : {}),
    ...(isByPid ? { pids: pids! } : {}),
    ...(isSome && !isOwnFiles && !isByPid ? { sharedBy: [...app.ids].sort((a, b) => a - b) } : {}),
    format: app.spec.logFormat,
    ...(app.spec.logDateFormat === undefined ? {} : { dateFormat: app.spec.logDateFormat }),
    hasLiveEngine: app.spec.logEngine !== false,
    ...(app.spec.logRules === undefined ? {} : { logRules: app.spec.logRules }),
    ...(lastRestart ? { lastRestart } : {}),
    errored: { count: errored, of: mine.length },
    ...(readExits === undefined ? {} : { exits: (range) => readExits(app.spec.name, range, ids) }),
    flushTimeIndex: () => {
      for (const record of mine) record.pipeline.flushTimeIndex();
    },
  };
}

/** The out and err files process `id` of `app` writes. */
function ownFiles(app: ProcessRecord['app'], id: number): Omit<LogQueryFiles, 'id'> {
  const { outPath, errPath } = instanceLogPaths(app, id);
  return { outPath, errPath };
}
