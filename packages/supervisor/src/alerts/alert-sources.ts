import type { EventInput, JobRun } from '@velos/core';
import type { ProcessRecord } from '../process-record.js';
import type { SampledProcess } from './condition-tracker.js';

/** OBS-2 `job.finished`: one run of a job ended, with its outcome and duration. */
export function jobFinishedEvent(record: ProcessRecord, run: JobRun): EventInput {
  const name = record.app.spec.name;
  const durationMs = Math.max(0, (run.endedAt ?? run.startedAt) - run.startedAt);
  const how = run.signal
    ? `signal ${run.signal}`
    : run.exitCode === null
      ? 'no exit code'
      : `exit code ${run.exitCode}`;
  return {
    kind: 'job.finished',
    severity: run.outcome === 'ok' ? 'info' : 'warning',
    app: name,
    id: record.id,
    message: `${name} run ${run.seq} ${run.outcome} (${how}) after ${durationMs} ms`,
    fields: {
      seq: run.seq,
      outcome: run.outcome,
      exit_code: run.exitCode,
      signal: run.signal,
      duration_ms: durationMs,
      trigger: run.trigger,
    },
  };
}

/** What the alert engine reads of a process for its state conditions. */
export function sampleOf(record: ProcessRecord): SampledProcess {
  return {
    id: record.id,
    name: record.app.spec.name,
    namespace: record.app.spec.namespace,
    status: record.status,
    health: record.health?.state,
    memory: record.memory,
    cpu: record.cpu,
  };
}
