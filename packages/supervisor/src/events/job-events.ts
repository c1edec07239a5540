import type { EventInput, JobRun } from '@velos/core';
import type { ProcessRecord } from '../process-record.js';

/** The runs of one job already told, by seq. */
interface Told {
  started: number;
  finished: number;
}

/**
 * OBS-2: `job.started` and `job.finished` (outcome, duration, exit) from the runs of a job. The
 * scheduler records a run right after the status change that starts or ends it, so each change of a
 * job is looked at once the current turn is over (a microtask), when the run is in its state.
 */
export function createJobEvents(publish: (event: EventInput) => void): {
  /** A job's status changed: its new runs are told once the scheduler has recorded them. */
  onStatus(record: ProcessRecord): void;
} {
  const told = new Map<ProcessRecord, Told>();

  const check = (record: ProcessRecord): void => {
    const state = record.job;
    const seen = told.get(record);
    if (!state || !seen) return;
    const current = state.current;
    if (current && current.seq > seen.started) {
      seen.started = current.seq;
      publish(startedEvent(record, current));
    }
    const last = state.history.runs.at(-1);
    if (last && last.endedAt !== null && last.seq > seen.finished) {
      seen.finished = last.seq;
      seen.started = Math.max(seen.started, last.seq);
      publish(finishedEvent(record, last));
    }
  };

  return {
    onStatus(record) {
      if (!record.job) return;
      if (!told.has(record)) {
        // runs recorded by an earlier daemon are history, not news
        const last = record.job.history.runs.at(-1)?.seq ?? 0;
        told.set(record, { started: last, finished: last });
      }
      queueMicrotask(() => {
        check(record);
        if (record.status === 'stopped' && !record.job?.current) told.delete(record);
      });
    },
  };
}

function base(record: ProcessRecord, run: JobRun) {
  return {
    app: record.app.spec.name,
    id: record.id,
    label: `${record.app.spec.name} (id ${record.id}) run ${run.seq}`,
  };
}

function startedEvent(record: ProcessRecord, run: JobRun): EventInput {
  const { label, ...subject } = base(record, run);
  return {
    ...subject,
    at: run.startedAt,
    kind: 'job.started',
    severity: 'info',
    message: `${label} started (${run.trigger}), pid ${run.pid ?? '?'}`,
    fields: { run: run.seq, trigger: run.trigger, pid: run.pid },
  };
}

function finishedEvent(record: ProcessRecord, run: JobRun): EventInput {
  const { label, ...subject } = base(record, run);
  const durationMs = (run.endedAt ?? run.startedAt) - run.startedAt;
  const how = run.signal ? `signal ${run.signal}` : run.exitCode === null ? '' : `code ${run.exitCode}`;
  return {
    ...subject,
    at: run.endedAt ?? Date.now(),
    kind: 'job.finished',
    severity: run.outcome === 'ok' ? 'info' : 'error',
    message: `${label} ${run.outcome}${how ? ` (${how})` : ''} after ${durationMs} ms`,
    fields: {
      run: run.seq,
      outcome: run.outcome,
      duration_ms: durationMs,
      exit_code: run.exitCode,
      signal: run.signal,
      trigger: run.trigger,
    },
  };
}
