import type { EventInput, EventSeverity, JobRun } from '@velos/core';
import type { ProcessRecord } from '../process-record.js';

/** Severity of a finished run: `error` when it failed, timed out or could not spawn; a stopped run is no failure. */
const FINISHED_SEVERITY: Record<JobRun['outcome'], EventSeverity> = {
  ok: 'info',
  running: 'info',
  stopped: 'info',
  failed: 'error',
  timeout: 'error',
  'spawn-error': 'error',
  interrupted: 'warning',
  unknown: 'warning',
  skipped: 'info',
};

/** OBS-2 `job.started`: a run of a job began (run number, trigger, pid). */
export function jobStartedEvent(record: ProcessRecord, run: JobRun): EventInput {
  const name = record.app.spec.name;
  return {
    kind: 'job.started',
    severity: 'info',
    app: name,
    id: record.id,
    at: run.startedAt,
    message: `job ${name}: run ${run.seq} started (${run.trigger}), pid ${run.pid ?? '?'}`,
    fields: { run: run.seq, trigger: run.trigger, pid: run.pid, ...(run.forced ? { forced: true } : {}) },
  };
}

/** OBS-2 `job.finished`: a run ended (outcome, exit code, signal, duration); `error` when it failed. */
export function jobFinishedEvent(record: ProcessRecord, run: JobRun): EventInput {
  const name = record.app.spec.name;
  const durationMs = Math.max(0, (run.endedAt ?? run.startedAt) - run.startedAt);
  const how = run.signal
    ? `signal ${run.signal}`
    : run.outcome === 'unknown'
      ? 'exit code unknown'
      : `code ${run.exitCode}`;
  return {
    kind: 'job.finished',
    severity: FINISHED_SEVERITY[run.outcome],
    app: name,
    id: record.id,
    at: run.endedAt ?? undefined,
    message: `job ${name}: run ${run.seq} ${run.outcome} (${how}) after ${durationMs} ms`,
    fields: {
      run: run.seq,
      outcome: run.outcome,
      exit_code: run.exitCode,
      signal: run.signal,
      duration_ms: durationMs,
      trigger: run.trigger,
    },
  };
}
