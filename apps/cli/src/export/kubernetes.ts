import { APP_DEFAULTS, type AppSpec, type ProbeSpec } from '@velos/core';
import { containerArgv } from './app-command.js';
import { cronToKubernetes } from './cron-calendar.js';
import {
  dnsName,
  type ExportFile,
  type ExportOptions,
  kubernetesBytes,
  wholeSeconds,
} from './export-file.js';
import { type LossyReport, noteVelosOnly } from './lossy-report.js';
import { appPort, isLocal, probeTiming } from './probe-target.js';
import { toYaml } from './yaml-text.js';

/** The name of the file `velos export kubernetes` writes. */
export const KUBERNETES_FILE = 'kubernetes.yaml';

/** One Kubernetes object, as plain data. */
export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string };

/**
 * Turns the apps into Kubernetes objects: a Deployment per service (and a Service when it has a
 * port), a CronJob per job; labels name the Velos app.
 * @example kubernetesManifests(specs, new LossyReport('kubernetes', false), { source: 'velos.toml' })
 */
export function kubernetesManifests(
  specs: AppSpec[],
  report: LossyReport,
  options: ExportOptions,
): Manifest[] {
  const manifests: Manifest[] = [];
  for (const spec of specs) {
    noteVelosOnly(report, spec);
    noteKubernetesLosses(spec, report);
    const labels = selectorLabels(spec);
    const metadata = {
      name: dnsName(spec.name),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      labels: {
        ...labels,
        'app.kubernetes.io/managed-by': 'velos',
        'velos.dev/namespace': dnsName(spec.namespace),
      },
    };
    const port = spec.type === 'service' ? appPort(spec) : undefined;
    const podSpec = {
      terminationGracePeriodSeconds: wholeSeconds(spec.killTimeoutMs),
      containers: [container(spec, port, report, options)],
    };
    if (spec.type === 'job') {
      const isOneShot = spec.schedule === undefined && spec.intervalMs === undefined;
      manifests.push(
        isOneShot ? oneShotJob(spec, metadata, podSpec) : cronJob(spec, metadata, podSpec, report),
      );
      continue;
    }
    manifests.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: spec.instances,
        selector: { matchLabels: labels },
        template: { metadata: { labels: metadata.labels }, spec: podSpec },
      },
    });
    if (port !== undefined) {
      manifests.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: { selector: labels, ports: [{ name: 'app', port, targetPort: port, protocol: 'TCP' }] },
      });
    }
  }
  return manifests;
}

/** The manifests as one multi-document YAML file. */
export async function exportKubernetes(
  specs: AppSpec[],
  report: LossyReport,
  options: ExportOptions,
): Promise<ExportFile[]> {
  const manifests = kubernetesManifests(specs, report, options);
  const text = (await Promise.all(manifests.map(toYaml))).join('---\n');
  return [{ name: KUBERNETES_FILE, text }];
}

/** The labels that select an app's pods. */
function selectorLabels(spec: AppSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': dnsName(spec.name) };
}

function container(
  spec: AppSpec,
  port: number | undefined,
  report: LossyReport,
  options: ExportOptions,
): Record<string, unknown> {
  if (options.image === undefined) {
    report.note(
      spec.name,
      'image',
      `no --image given: the container runs image ${dnsName(spec.name)}:latest`,
      `build and push that image from ${spec.cwd}, or pass --image`,
    );
  }
  const env = spec.ownEnv ?? spec.env;
  const result: Record<string, unknown> = {
    name: dnsName(spec.name),
    image: options.image ?? `${dnsName(spec.name)}:latest`,
    command: containerArgv(spec).map(literal),
    env: Object.entries(env).map(([name, value]) => ({ name, value: literal(value) })),
  };
  if (port !== undefined) result.ports = [{ name: 'app', containerPort: port, protocol: 'TCP' }];
  if (spec.maxMemoryBytes !== undefined) {
    result.resources = { limits: { memory: kubernetesBytes(spec.maxMemoryBytes) } };
  }
  if (spec.livenessProbe !== undefined) {
    result.livenessProbe = probe(spec.name, 'liveness_probe', spec.livenessProbe, report);
  }
  if (spec.readinessProbe !== undefined) {
    result.readinessProbe = probe(spec.name, 'readiness_probe', spec.readinessProbe, report);
  }
  return result;
}

function probe(app: string, option: string, spec: ProbeSpec, report: LossyReport): Record<string, unknown> {
  const timing = probeTiming(spec);
  if (option === 'liveness_probe' && timing.successThreshold !== 1) {
    report.note(
      app,
      option,
      'Kubernetes needs successThreshold 1 on a liveness probe',
      'nothing: it is set to 1',
    );
    timing.successThreshold = 1;
  }
  if (spec.kind === 'exec') return { exec: { command: ['/bin/sh', '-c', spec.command] }, ...timing };
  if (spec.kind === 'tcp') {
    return { tcpSocket: { port: spec.port, ...(isLocal(spec.host) ? {} : { host: spec.host }) }, ...timing };
  }
  if (spec.statusMin !== 200 || spec.statusMax !== 399) {
    report.lossy(
      app,
      option,
      `an httpGet probe passes any status 200-399, not ${spec.statusMin}-${spec.statusMax}`,
      'use an exec probe that checks the status',
    );
  }
  const url = new URL(spec.url);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return {
    httpGet: {
      path: `${url.pathname}${url.search}`,
      port,
      scheme: url.protocol === 'https:' ? 'HTTPS' : 'HTTP',
      ...(isLocal(url.hostname) ? {} : { host: url.hostname }),
      ...(Object.keys(spec.headers).length === 0
        ? {}
        : { httpHeaders: Object.entries(spec.headers).map(([name, value]) => ({ name, value })) }),
    },
    ...timing,
  };
}

/** A job's run: no retry (a failed run is a failed run), stopped after its timeout. */
function jobSpec(spec: AppSpec, metadata: Record<string, unknown>, podSpec: Record<string, unknown>) {
  return {
    backoffLimit: 0,
    ...(spec.jobTimeoutMs === undefined ? {} : { activeDeadlineSeconds: wholeSeconds(spec.jobTimeoutMs, 1) }),
    template: {
      metadata: { labels: (metadata as { labels: unknown }).labels },
      spec: { ...podSpec, restartPolicy: 'Never' },
    },
  };
}

/** A one-shot job (neither `schedule` nor `interval`): a Job that runs once. */
function oneShotJob(
  spec: AppSpec,
  metadata: Record<string, unknown>,
  podSpec: Record<string, unknown>,
): Manifest {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: jobSpec(spec, metadata, podSpec) };
}

function cronJob(
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
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: Math.min(spec.jobHistory, 10),
      failedJobsHistoryLimit: Math.min(spec.jobHistory, 10),
      jobTemplate: { spec: jobSpec(spec, metadata, podSpec) },
    },
  };
}

/** A job's cron schedule, or its interval as one (`30m` → `*\/30 * * * *`). */
function schedule(spec: AppSpec, report: LossyReport): string {
  if (spec.schedule !== undefined) {
    const cron = cronToKubernetes(spec.schedule);
    if (cron.ok) return cron.value;
    report.lossy(spec.name, 'schedule', cron.reason, 'pick a schedule of whole minutes');
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

function noteKubernetesLosses(spec: AppSpec, report: LossyReport): void {
  const app = spec.name;
  if (spec.stopSignal !== 'SIGTERM') {
    report.lossy(
      app,
      'kill_signal',
      `pods are stopped with SIGTERM, not ${spec.stopSignal}`,
      'set STOPSIGNAL in the image',
    );
  }
  if (spec.type === 'job') return;
  if (!spec.autorestart) {
    report.lossy(app, 'autorestart', 'a Deployment always restarts its pods', 'run it as a Kubernetes Job');
  }
  if (spec.stopExitCodes.length > 0) {
    report.lossy(app, 'stop_exit_codes', 'a Deployment restarts on every exit', 'run it as a Kubernetes Job');
  }
  if (spec.cronRestart !== undefined) {
    report.lossy(
      app,
      'cron_restart',
      'no restart on a schedule',
      'a CronJob running `kubectl rollout restart deployment/<name>`',
    );
  }
  if (spec.dependsOn.length > 0) {
    report.lossy(
      app,
      'depends_on',
      'pods start without waiting for other apps',
      'an init container that waits for the dependency, or retries in the app',
    );
  }
  if (
    spec.maxRestarts !== APP_DEFAULTS.maxRestarts ||
    spec.restartDelayMs > 0 ||
    spec.expBackoffRestartDelayMs > 0
  ) {
    report.note(
      app,
      'max_restarts',
      'the kubelet restarts without a limit, with a backoff from 10s to 5m',
      'nothing to set: watch for CrashLoopBackOff',
    );
  }
  if (spec.incrementVar !== undefined) {
    report.note(
      app,
      'increment_var',
      'every replica gets the same value',
      'each pod has its own network: no need',
    );
  }
}

/** A string Kubernetes takes as it is: `$(NAME)` in env values and commands would expand a variable. */
export function literal(value: string): string {
  return value.replaceAll('$(', '$$(');
}
