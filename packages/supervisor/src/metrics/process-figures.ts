import type { JobRun, ProcessMetrics, VelosEvent } from '@velos/core';
import type { StatusEvent } from '../process-status.js';
import type { CustomMetricStore } from './custom-metric-store.js';
import { createHistogram, type Histogram } from './histogram.js';

/** Upper bounds of the job duration buckets, in seconds (100 ms to 1 h). */
export const JOB_DURATION_BOUNDS_SECONDS = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600] as const;

/** What the daemon counts of one process beyond the table: a few numbers, kept until it is deleted. */
export interface ProcessFigures {
  /** Exits and restarts by reason. */
  exits: Record<string, number>;
  /** Job runs by outcome and their durations; null until a run ends. */
  job: { runs: Partial<Record<JobRun['outcome'], number>>; durations: Histogram } | null;
  /** OBS-6: its custom metrics; null until it reports one. */
  custom: CustomMetricStore | null;
  /** Custom metric reports refused (its own and those sent for it over the API). */
  rejected: number;
  /** Whether a refusal of its own reports was told in daemon.log (once per process). */
  isRefusalLogged: boolean;
  /** Start (epoch ms) of the current one-second window of reports, and the reports in it. */
  windowStartedAt: number;
  windowReports: number;
}

/** Status changes that are no exit: a launch, a job waiting for its schedule, a dependency that failed. */
const NOT_AN_EXIT = new Set(['start', 'schedule', 'dependency']);
const RUNNING = new Set(['online', 'starting']);
const DOWN = new Set(['stopped', 'errored', 'waiting-restart', 'scheduled']);

/** Creates the empty figures of a process. */
export function createProcessFigures(): ProcessFigures {
  return {
    exits: {},
    job: null,
    custom: null,
    rejected: 0,
    isRefusalLogged: false,
    windowStartedAt: 0,
    windowReports: 0,
  };
}

/**
 * Counts an exit of `event`: a stop asked for (→ `stopping`, with its reason) or a run that ended by
 * itself (a running state → a down state); `stopping` → `stopped` is the same exit, not a second one.
 */
export function countExit(figures: ProcessFigures, event: StatusEvent): void {
  const reason = event.reason;
  if (reason === null || NOT_AN_EXIT.has(reason)) return;
  if (event.to === 'stopping' || (RUNNING.has(event.from) && DOWN.has(event.to))) {
    figures.exits[reason] = (figures.exits[reason] ?? 0) + 1;
  }
}

/**
 * Counts a cluster worker replaced in place (`process.reload_step` of `how: "reload"`, by `velos reload`
 * or a watch) as an exit of `reason`: the old worker leaves without a status change of the process, so
 * `countExit` never sees it, while its restart is counted.
 */
export function countReplacedWorker(figures: ProcessFigures, event: VelosEvent, reason: string | null): void {
  if (event.kind !== 'process.reload_step' || event.fields?.how !== 'reload') return;
  const why = reason ?? 'reload';
  figures.exits[why] = (figures.exits[why] ?? 0) + 1;
}

/** Counts a `job.finished` event's outcome and duration. */
export function countJobRun(figures: ProcessFigures, event: VelosEvent): void {
  const outcome = event.fields?.outcome;
  const durationMs = event.fields?.duration_ms;
  if (typeof outcome !== 'string') return;
  figures.job ??= { runs: {}, durations: createHistogram(JOB_DURATION_BOUNDS_SECONDS) };
  const runs = figures.job.runs as Record<string, number>;
  runs[outcome] = (runs[outcome] ?? 0) + 1;
  if (typeof durationMs === 'number') figures.job.durations.observe(durationMs / 1000);
}

/** The snapshot's view of the figures (`isJob`: the app is a job, so `job` shows even before a run). */
export function processFiguresMetrics(
  figures: ProcessFigures | undefined,
  isJob: boolean,
): Pick<ProcessMetrics, 'exits' | 'job' | 'custom'> {
  const out: Pick<ProcessMetrics, 'exits' | 'job' | 'custom'> = { exits: { ...figures?.exits } };
  if (figures?.job)
    out.job = { runs: { ...figures.job.runs }, durationSeconds: figures.job.durations.toData() };
  else if (isJob)
    out.job = { runs: {}, durationSeconds: createHistogram(JOB_DURATION_BOUNDS_SECONDS).toData() };
  const custom = figures?.custom?.series();
  if (custom && custom.length > 0) out.custom = custom;
  return out;
}
