import { type HealthState, PROCESS_STATUS_VALUE, type ProcessLabels, type ProcessMetrics } from '@velos/core';
import { family, type MetricFamily, NO_LABELS, pushHistogram } from './metric-family.js';

const STREAM_OUT = Object.freeze({ stream: 'out' });
const STREAM_ERR = Object.freeze({ stream: 'err' });

/** Probe states `velos_process_health` has one series for (1 = the current one). */
export const HEALTH_STATES: readonly HealthState[] = ['healthy', 'degraded', 'unhealthy', 'unknown'];

/** The labels of every per-process series: `name`, `id`, `instance`, `namespace`. */
export function processLabels(process: ProcessLabels): Readonly<Record<string, string>> {
  return {
    name: process.name,
    id: String(process.id),
    instance: String(process.instance),
    namespace: process.namespace,
  };
}

/** OBS-1: the `velos_process_*` and `velos_job_*` families of the supervised processes. */
export function processFamilies(processes: readonly ProcessMetrics[]): MetricFamily[] {
  const gauge = (name: string, help: string) => family(name, 'gauge', help);
  const counter = (name: string, help: string) => family(name, 'counter', help);
  const cpu = gauge(
    'velos_process_cpu_percent',
    'CPU use of the process tree, in percent of one core (last sample).',
  );
  const memory = gauge('velos_process_memory_bytes', 'Resident memory of the process tree, in bytes.');
  const peak = gauge(
    'velos_process_memory_peak_bytes',
    'Largest resident memory of the process tree seen, in bytes.',
  );
  const uptime = gauge(
    'velos_process_uptime_seconds',
    'Seconds since the current run came online; 0 when not running.',
  );
  const restarts = counter('velos_process_restart_total', 'Restarts of the process since it was added.');
  const status = gauge(
    'velos_process_status',
    'Life-cycle state: 0 stopped, 1 online, 2 errored, 3 starting, 4 stopping, 5 waiting-restart, 6 scheduled.',
  );
  const exits = counter(
    'velos_process_exits_total',
    'Exits and restarts of the process by reason (crash, memory, user...).',
  );
  const lines = counter('velos_process_log_lines_total', 'Log lines captured, by stream (out, err).');
  const errors = counter('velos_process_log_errors_total', 'Log lines classified at level error or fatal.');
  const bytes = counter('velos_process_log_bytes_total', 'Bytes of output captured, both streams.');
  const dropped = counter(
    'velos_process_log_dropped_lines_total',
    'Log lines dropped because a writer outran the disk.',
  );
  const health = gauge(
    'velos_process_health',
    'Probe health: 1 for the current state, 0 for the others (apps with probes only).',
  );
  const jobRuns = counter('velos_job_runs_total', 'Finished job runs, by outcome.');
  const jobDuration = family(
    'velos_job_duration_seconds',
    'histogram',
    'Duration of the finished runs of a job, in seconds.',
  );

  for (const process of processes) {
    const shared = processLabels(process);
    const set = (target: MetricFamily, value: number, labels: Record<string, string> = NO_LABELS) =>
      target.samples.push({ name: target.name, labels, value, shared });
    set(cpu, process.cpuPercent);
    set(memory, process.memoryBytes);
    set(peak, process.memoryPeakBytes);
    set(uptime, process.uptimeSeconds);
    set(restarts, process.restarts);
    set(status, PROCESS_STATUS_VALUE[process.status] ?? -1);
    for (const [reason, count] of Object.entries(process.exits ?? {})) set(exits, count, { reason });
    set(lines, process.logLines.out, STREAM_OUT);
    set(lines, process.logLines.err, STREAM_ERR);
    set(errors, process.logErrors);
    set(bytes, process.logBytes);
    set(dropped, process.logDropped);
    if (process.health !== null && process.health !== undefined) {
      for (const state of HEALTH_STATES) set(health, state === process.health ? 1 : 0, { state });
    }
    if (process.job !== undefined) {
      for (const [outcome, count] of Object.entries(process.job.runs)) set(jobRuns, count ?? 0, { outcome });
      pushHistogram(jobDuration, NO_LABELS, process.job.durationSeconds, shared);
    }
  }
  return [
    cpu,
    memory,
    peak,
    uptime,
    restarts,
    status,
    exits,
    lines,
    errors,
    bytes,
    dropped,
    health,
    jobRuns,
    jobDuration,
  ];
}
