import { dirname } from 'node:path';
import {
  ErrorCodes,
  type JobRun,
  type OptionHint,
  optionHint,
  optionMessage,
  type ProcessInfo,
  VelosError,
} from '@velos/core';
import type { CronSchedule } from '../cron-schedule.js';
import type { LongTimer } from '../long-timer.js';
import type { ProcessRecord } from '../process-record.js';
import type { RunHistory } from './run-history.js';

/** What the daemon keeps about a job (SUP-8) on its process record. */
export interface JobState {
  history: RunHistory;
  /** The schedule is on: the job runs when due (a one-shot turns it off after its run). */
  isEnabled: boolean;
  /** The run going on now, or null. */
  current: JobRun | null;
  /**
   * When the current run started on the monotonic clock (`monotonicMs`): its end is its start plus
   * the time that clock measured, so a wall clock stepped back during the run (NTP, `date -s`) gives
   * no negative duration; null without a current run.
   */
  currentSinceMono: number | null;
  /** Due time of the next interval run, or null. */
  nextRunAt: number | null;
  /** Due runs skipped because the previous one was still going or a `depends_on` was not met. */
  skipped: number;
  intervalTimer: LongTimer | null;
  cron: CronSchedule | null;
  timeoutTimer: LongTimer | null;
  /**
   * The outcome of the current run once Velos has begun to stop it: `timeout` (its `timeout`), or
   * `stopped` (a stop, restart or delete of the user, the daemon's shutdown); null while it runs on.
   */
  stopOutcome: 'timeout' | 'stopped' | null;
  /** SUP-13: the current run was taken over from a daemon that died (its exit code cannot be known). */
  isAdoptedRun?: boolean;
  /** The next `enable` restores saved state: an interval job keeps the phase of its history. */
  isRestoring?: boolean;
  /**
   * When the daemon whose state is restored last wrote it (epoch ms): a cron job's due time after it
   * and after its latest scheduled run fell while no daemon ran, and is made up once.
   */
  restoredSavedAt?: number;
}

/** The `job` field of a job's `velos list` row. */
export function jobInfo(state: JobState | undefined): NonNullable<ProcessInfo['job']> {
  if (!state) return { lastRun: null, nextRunAt: null, runs: 0, skipped: 0 };
  const lastRun = state.current ?? state.history.latestRun();
  const nextRunAt = state.isEnabled ? (state.cron?.nextRunAt() ?? state.nextRunAt) : null;
  return {
    lastRun: lastRun ? { ...lastRun } : null,
    nextRunAt,
    runs: lastRun?.seq ?? 0,
    skipped: state.skipped,
  };
}

/** True when `records` are (instances of) one app: a name or an id, not `all` or a namespace of several. */
function isOneApp(records: ProcessRecord[]): boolean {
  return new Set(records.map((record) => record.app)).size === 1;
}

/** The jobs among `records`; throws `INVALID_ARGUMENT` when `target` names no job. */
export function selectJobs(records: ProcessRecord[], target: string): ProcessRecord[] {
  const jobs = records.filter((record) => record.app.spec.type === 'job');
  if (jobs.length === 0) {
    const { message, options } =
      optionMessage`'${target}' ${isOneApp(records) ? 'is not a job' : 'selects no job'} (start one with type: job${jobOption('schedule', '<cron>', ', ')}${jobOption('interval', '<duration>', ', ', '--every')}${jobOption('timeout', '<duration>', ' or ')})`;
    throw new VelosError(ErrorCodes.INVALID_ARGUMENT, message, { data: { target, options } });
  }
  return jobs;
}

/**
 * An app entry's key that makes a job, worded as the CLI's bare flag (`--every`) and, for a surface
 * that names it as a key (REST's `interval: "<duration>"`), with the kind of value it takes.
 */
function jobOption(option: string, value: string, lead: string, flag = `--${option}`): OptionHint {
  return { ...optionHint(option, value, { lead }), text: flag };
}

/**
 * JSON bytes of runs one `runs` answer holds at most: a frame of the protocol holds 16 MiB, and a job
 * keeps up to 100,000 runs (`history`), about 25 MB with a long name.
 */
export const RUNS_ANSWER_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The runs of `records` (a run in progress included), newest first, at most `limit`. Runs of more than
 * `maxBytes` are refused (`INVALID_ARGUMENT`) naming the `--limit` that fits and the history files.
 */
export function listRuns(
  records: ProcessRecord[],
  limit?: number,
  maxBytes = RUNS_ANSWER_MAX_BYTES,
): (JobRun & { id: number; name: string })[] {
  const runs = records.flatMap((record) => {
    const state = record.job;
    if (!state) return [];
    const all = state.current ? [...state.history.runs, state.current] : state.history.runs;
    return all.map((run) => ({ ...run, id: record.id, name: record.app.spec.name }));
  });
  runs.sort((a, b) => b.startedAt - a.startedAt || b.seq - a.seq);
  const selected = limit === undefined ? runs : runs.slice(0, limit);
  checkAnswerBytes(records, selected, maxBytes);
  return selected;
}

/** JSON bytes a run takes at most: its name is at most 200 bytes, its other fields under 300. */
const MAX_RUN_BYTES = 1024;

/**
 * Throws when `runs` would make an answer of more than `maxBytes`: the frame it went out in was refused
 * (`frame of 25325726 bytes exceeds 16777216`), which told nothing of how to get the runs.
 */
function checkAnswerBytes(records: ProcessRecord[], runs: JobRun[], maxBytes: number): void {
  if (runs.length * MAX_RUN_BYTES <= maxBytes) return;
  let bytes = 0;
  let fit = 0;
  for (const run of runs) {
    bytes += Buffer.byteLength(JSON.stringify(run));
    if (bytes <= maxBytes) fit += 1;
  }
  if (bytes <= maxBytes) return;
  const files = records.map((record) => record.job?.history.path).filter((path) => path !== undefined);
  const read =
    files.length === 1 ? `the history file ${files[0]}` : `the history files in ${dirname(files[0]!)}`;
  // the limit as each surface takes it: the CLI's --limit, REST's ?limit=, MCP's limit
  const { message, options } =
    optionMessage`runs: the newest ${runs.length} runs come to ${mebibytes(bytes)}, more than one answer holds (${mebibytes(maxBytes)}): ask for at most ${fit} (${optionHint('limit', fit)}), or read ${read}`;
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, message, { data: { limit: fit, options } });
}

/** `bytes` in MiB with one decimal, a whole number without it: `8.4 MiB`, `8 MiB`. */
function mebibytes(bytes: number): string {
  const text = (bytes / 1024 ** 2).toFixed(1);
  return `${text.endsWith('.0') ? text.slice(0, -2) : text} MiB`;
}
