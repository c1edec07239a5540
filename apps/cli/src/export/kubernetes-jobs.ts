import type { AppSpec } from '@velos/core';
import { cronToKubernetes } from './cron-kubernetes.js';
import { wholeSeconds } from './export-file.js';
import type { Manifest } from './kubernetes.js';
import type { LossyReport } from './lossy-report.js';

/** A job's run: no retry (a failed run is a failed run), stopped after its timeout. */
function jobSpec(spec: AppSpec, metadata: Record<string, unknown>, podSpec: Record<string, unknown>) {
  return {
    // autostart = false: a one-shot job waits until it is resumed (a CronJob is suspended instead)
    ...(spec.autostart === false && !isCron(spec) ? { suspend: true } : {}),
    backoffLimit: 0,
    ...(spec.jobTimeoutMs === undefined ? {} : { activeDeadlineSeconds: wholeSeconds(spec.jobTimeoutMs, 1) }),
    template: {
      metadata: { labels: (metadata as { labels: unknown }).labels },
      spec: { ...podSpec, restartPolicy: 'Never' },
    },
  };
}

/** A one-shot job (neither `schedule` nor `interval`): a Job that runs once. */
export function oneShotJob(
  spec: AppSpec,
  metadata: Record<string, unknown>,
  podSpec: Record<string, unknown>,
): Manifest {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: jobSpec(spec, metadata, podSpec) };
}

export function cronJob(
  spec: AppSpec,
  metadata: Record<string, unknown>,
  podSpec: Record<string, unknown>,
  report: LossyReport,
): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
    spec: {
      schedule: schedule(spec, report),
      ...timeZone(spec, report),
      ...(spec.autostart === false ? { suspend: true } : {}),
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: Math.min(spec.jobHistory, 10),
      failedJobsHistoryLimit: Math.min(spec.jobHistory, 10),
      jobTemplate: { spec: jobSpec(spec, metadata, podSpec) },
    },
  };
}

/**
 * The zone a cron `schedule` is read in: Velos reads it in the daemon's local time zone, a CronJob in
 * the controller's (UTC on most clusters) unless `timeZone` names one; this machine's zone (its `TZ`)
 * stands for the daemon's, and a note says so.
 */
function timeZone(spec: AppSpec, report: LossyReport): { timeZone?: string } {
  if (spec.schedule === undefined) return {};
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone as string | undefined;
  // an unknown TZ (TZ=Bogus) gives none, TZ= gives Etc/Unknown: the CronJob keeps the cluster's zone
  if (zone === undefined || zone === 'Etc/Unknown') {
    report.note(
      spec.name,
      'schedule',
      "read in the daemon's time zone, which this machine's TZ does not name: the CronJob runs in the cluster's (UTC on most clusters)",
      "set the CronJob's timeZone to the zone the daemon ran in",
    );
    return {};
  }
  report.note(
    spec.name,
    'schedule',
    `read in the time zone of this machine (${zone}), as a Velos daemon started here reads it: the CronJob has timeZone: ${zone}`,
    'change timeZone if the daemon ran in another zone (the TZ of the shell that started it)',
  );
  return { timeZone: zone };
}

function isCron(spec: AppSpec): boolean {
  return spec.schedule !== undefined || spec.intervalMs !== undefined;
}

/** A job's cron schedule, or its interval as one (`30m` → `*\/30 * * * *`). */
function schedule(spec: AppSpec, report: LossyReport): string {
  if (spec.schedule !== undefined) {
    const cron = cronToKubernetes(spec.schedule);
    if (cron.ok) return cron.value;
    report.lossy(spec.name, 'schedule', cron.reason, 'pick a schedule of 5 standard cron fields');
    return '* * * * *';
  }
  const cron = intervalCron(spec.intervalMs ?? 60_000);
  if (cron !== null) return cron;
  const minutes = Math.max(1, Math.round((spec.intervalMs ?? 60_000) / 60_000));
  const nearest = intervalCron(nearestDivisor(minutes) * 60_000) ?? '* * * * *';
  report.lossy(
    spec.name,
    'interval',
    `a CronJob cannot run every ${(spec.intervalMs ?? 0) / 1000}s; it runs on "${nearest}"`,
    'pick an interval of whole minutes that divides an hour, or whole hours that divide a day',
  );
  return nearest;
}

/** An interval as a cron expression, when one runs at exactly that period; null otherwise. */
export function intervalCron(ms: number): string | null {
  if (ms % 60_000 !== 0) return null;
  const minutes = ms / 60_000;
  if (minutes === 1) return '* * * * *';
  if (minutes < 60 && 60 % minutes === 0) return `*/${minutes} * * * *`;
  if (minutes % 60 !== 0) return null;
  const hours = minutes / 60;
  if (hours === 1) return '0 * * * *';
  if (hours < 24 && 24 % hours === 0) return `0 */${hours} * * *`;
  return hours === 24 ? '0 0 * * *' : null;
}

function nearestDivisor(minutes: number): number {
  const periods = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440];
  return periods.reduce((best, p) => (Math.abs(p - minutes) < Math.abs(best - minutes) ? p : best), 1);
}
