import { mkdirSync, type Stats, stat, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AppSpec, LOG_DIR_MODE, type WatchdogSpec } from '@velos/core';
import type { PublishEvent } from '../events/event-bus.js';
import { MAX_TIMEOUT_MS } from '../long-timer.js';
import type { ProcessRecord, ProcessRun } from '../process-record.js';

/** The log-inactivity watchdogs of the processes (SUP-10), one timer per online process with `watchdog`. */
export interface InactivityWatchdogs {
  /** Starts (or starts over) the watchdog of a process whose run just went online. */
  onOnline(record: ProcessRecord): void;
  /** Stops every watchdog. */
  stopAll(): void;
}

/** What the watchdogs need from the supervisor. */
export interface InactivityWatchdogOptions {
  /** Restarts one process through the supervisor's operation queue. */
  restart(record: ProcessRecord, reason: 'inactivity'): Promise<unknown>;
  log(line: string): void;
  /** OBS-2: receives `process.watchdog` when a watchdog restarts a quiet process. */
  publish?: PublishEvent;
}

/** What activity is compared by: captured bytes, or a log file's size and mtime (null = missing). */
type Mark = number | { size: number; mtimeMs: number } | null;

interface Watch {
  run: ProcessRun;
  timer: NodeJS.Timeout;
  mark: Mark;
  lastActivityAt: number;
  isChecking: boolean;
}

/**
 * Creates the watchdogs: every `intervalMs` a process's activity is checked (growth of its captured
 * output, or growth, shrinking or an mtime change of its `logFile`); none for `timeoutMs` restarts it
 * with reason `inactivity`. A watchdog ends by itself when its run ends; nothing runs for other apps.
 */
export function createInactivityWatchdogs(options: InactivityWatchdogOptions): InactivityWatchdogs {
  const watches = new Map<ProcessRecord, Watch>();

  const stop = (record: ProcessRecord): void => {
    const watch = watches.get(record);
    if (watch) clearInterval(watch.timer);
    watches.delete(record);
  };

  const check = (record: ProcessRecord, spec: WatchdogSpec): void => {
    const watch = watches.get(record);
    if (!watch) return;
    if (record.run !== watch.run || watch.run.hasExited()) {
      stop(record);
      return;
    }
    if (watch.isChecking) return;
    watch.isChecking = true;
    readMark(record, spec, (mark) => {
      watch.isChecking = false;
      if (watches.get(record) !== watch) return;
      const now = Date.now();
      if (isActivity(watch.mark, mark)) watch.lastActivityAt = now;
      watch.mark = mark;
      if (now - watch.lastActivityAt < spec.timeoutMs) return;
      if (record.status !== 'online' || record.isUserOp || record.run !== watch.run) return;
      stop(record);
      restartQuiet(record, spec);
    });
  };

  const restartQuiet = (record: ProcessRecord, spec: WatchdogSpec): void => {
    const name = record.app.spec.name;
    const quiet = `no output${spec.logFile ? ` to ${spec.logFile}` : ''} for ${formatSeconds(spec.timeoutMs)}`;
    // a job is not restarted: its run is stopped and the job runs again on its schedule
    const action = record.app.spec.type === 'job' ? 'stopping the run' : 'restarting';
    options.log(`process ${record.id} (${name}): ${quiet} (watchdog): ${action}`);
    options.publish?.({
      kind: 'process.watchdog',
      severity: 'warning',
      app: name,
      id: record.id,
      message: `process ${record.id} (${name}): ${quiet} (watchdog): ${action}`,
      fields: { timeout_ms: spec.timeoutMs, log_file: spec.logFile ?? null, pid: record.pid ?? null },
    });
    try {
      record.pipeline.note('err', `velos: ${action}: ${quiet}`);
    } catch {
      // deleted meanwhile: its pipeline is closed
    }
    options
      .restart(record, 'inactivity')
      .catch((error) => options.log(`process ${record.id} (${name}): inactivity restart failed: ${error}`));
  };

  return {
    onOnline(record) {
      stop(record);
      const spec = record.app.spec.watchdog;
      if (!spec || !record.run) return;
      // a longer setInterval would fire every 1 ms; checking sooner is harmless (the check compares times)
      const timer = setInterval(() => check(record, spec), Math.min(spec.intervalMs, MAX_TIMEOUT_MS));
      timer.unref();
      watches.set(record, {
        run: record.run,
        timer,
        mark: initialMark(record, spec),
        lastActivityAt: Date.now(),
        isChecking: false,
      });
    },
    stopAll() {
      for (const record of [...watches.keys()]) stop(record);
    },
  };
}

/** Creates the directory of an app's watchdog log file (the program's shell redirection needs it), 0750. */
export function prepareWatchdogLogDir(spec: AppSpec): void {
  if (spec.watchdog?.logFile)
    mkdirSync(dirname(spec.watchdog.logFile), { recursive: true, mode: LOG_DIR_MODE });
}

function initialMark(record: ProcessRecord, spec: WatchdogSpec): Mark {
  if (!spec.logFile) return record.pipeline.counters().bytes;
  // a file that cannot be read is no activity, as in readMark: a name too long for the file system
  // (ENAMETOOLONG) threw out of the start, answered INTERNAL
  try {
    return fileMark(statSync(spec.logFile, { throwIfNoEntry: false }) ?? null);
  } catch {
    return null;
  }
}

function readMark(record: ProcessRecord, spec: WatchdogSpec, done: (mark: Mark) => void): void {
  if (spec.logFile) stat(spec.logFile, (error, stats) => done(error ? null : fileMark(stats)));
  else done(record.pipeline.counters().bytes);
}

function fileMark(stats: Stats | null): Mark {
  return stats ? { size: stats.size, mtimeMs: stats.mtimeMs } : null;
}

/** Growth, shrinking (truncation, rotation) or a new mtime is activity; a missing file is not. */
function isActivity(before: Mark, after: Mark): boolean {
  if (after === null) return false;
  if (typeof after === 'number') return after !== before;
  if (before === null || typeof before === 'number') return true;
  return after.size !== before.size || after.mtimeMs !== before.mtimeMs;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`;
}
