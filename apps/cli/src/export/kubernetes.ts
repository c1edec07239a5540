import { APP_DEFAULTS, type AppSpec, type ProbeSpec } from '@velos/core';
import { containerArgv } from './app-command.js';
import {
  dnsName,
  type ExportFile,
  type ExportOptions,
  imageOf,
  kubernetesBytes,
  wholeSeconds,
} from './export-file.js';
import { cronJob, oneShotJob } from './kubernetes-jobs.js';
import { type LossyReport, noteVelosOnly } from './lossy-report.js';
import { appPort, isLocal, probeTiming } from './probe-target.js';
import { kubernetesSecurityContext } from './run-as.js';
import { exportedEnv, type SplitEnv, splitSecretEnv } from './secret-env.js';
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
        // autostart = false: added stopped, started by scaling it up
        replicas: spec.autostart === false ? 0 : spec.instances,
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
  const secrets = specs.flatMap((spec) => {
    const secret = secretManifest(spec, options);
    return secret === undefined ? [] : [{ spec, secret }];
  });
  const kept = specs.flatMap((spec) => {
    const keys = kubernetesEnv(spec).kept;
    return keys.length > 0 ? [{ app: spec.name, keys, isMoved: false }] : [];
  });
  const files: ExportFile[] = [
    { name: KUBERNETES_FILE, text, ...(kept.length > 0 ? { secrets: kept } : {}) },
  ];
  if (secrets.length > 0) {
    files.push({
      name: KUBERNETES_SECRETS_FILE,
      text: (await Promise.all(secrets.map(({ secret }) => toYaml(secret)))).join('---\n'),
      secrets: secrets.map(({ spec }) => ({
        app: spec.name,
        keys: Object.keys(kubernetesEnv(spec).moved),
        isMoved: true,
      })),
    });
  }
  return files;
}

/** The file of the Secrets that hold the env values that look secret (kept apart from kubernetes.yaml). */
export const KUBERNETES_SECRETS_FILE = 'kubernetes-secrets.yaml';

/** A Secret's data key: what Kubernetes accepts (an env name that is not one stays in the container's env). */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** An app's env with the values that look secret moved to its Secret (env valueFrom.secretKeyRef). */
function kubernetesEnv(spec: AppSpec): SplitEnv {
  return splitSecretEnv(exportedEnv(spec), (key) => SECRET_KEY.test(key));
}

/** The name of the Secret that holds an app's env values that look secret. */
function secretName(spec: AppSpec): string {
  return `${dnsName(spec.name).slice(0, 59).replace(/-+$/, '')}-env`;
}

/** The Secret of an app's env values that look secret; undefined when it has none to move. */
export function secretManifest(spec: AppSpec, options: ExportOptions): Manifest | undefined {
  const { moved } = kubernetesEnv(spec);
  if (Object.keys(moved).length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secretName(spec),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      labels: { ...selectorLabels(spec), 'app.kubernetes.io/managed-by': 'velos' },
    },
    type: 'Opaque',
    stringData: moved,
  };
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
  const { moved } = kubernetesEnv(spec);
  const result: Record<string, unknown> = {
    name: dnsName(spec.name),
    image: options.image === undefined ? `${dnsName(spec.name)}:latest` : imageOf(options.image, spec.name),
    command: containerArgv(spec).map(literal),
    env: Object.entries(exportedEnv(spec)).map(([name, value]) =>
      Object.hasOwn(moved, name)
        ? { name, valueFrom: { secretKeyRef: { name: secretName(spec), key: name } } }
        : { name, value: literal(value) },
    ),
  };
  const securityContext = kubernetesSecurityContext(spec, report);
  if (securityContext !== undefined) result.securityContext = securityContext;
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
  // a Job's or CronJob's pods start as soon as they are scheduled too
  if (spec.dependsOn.length > 0) {
    report.lossy(
      app,
      'depends_on',
      'pods start without waiting for other apps',
      'an init container that waits for the dependency, or retries in the app',
    );
  }
  if (spec.autostart === false) noteStopped(spec, report);
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
  if (
    spec.maxRestarts !== APP_DEFAULTS.maxRestarts ||
    spec.restartDelayMs > 0 ||
    spec.expBackoffRestartDelayMs > 0
  ) {
    report.note(
      app,
      // the option the app sets, named as it is written (an app with only a restart_delay has no max_restarts)
      spec.maxRestarts !== APP_DEFAULTS.maxRestarts
        ? 'max_restarts'
        : spec.restartDelayMs > 0
          ? 'restart_delay'
          : 'exp_backoff_restart_delay',
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

/** `autostart = false`: the Deployment has no replicas, a (Cron)Job is suspended; says how to start it. */
function noteStopped(spec: AppSpec, report: LossyReport): void {
  const name = dnsName(spec.name);
  const isJob = spec.type === 'job';
  const kind = !isJob
    ? 'deployment'
    : spec.schedule === undefined && spec.intervalMs === undefined
      ? 'job'
      : 'cronjob';
  report.note(
    spec.name,
    'autostart',
    isJob
      ? `the ${kind === 'job' ? 'Job' : 'CronJob'} is suspended (suspend: true)`
      : 'the Deployment has 0 replicas',
    isJob
      ? `start it with kubectl patch ${kind} ${name} -p '{"spec":{"suspend":false}}'`
      : `start it with kubectl scale deployment ${name} --replicas=${spec.instances}`,
  );
}

/**
 * A string Kubernetes takes as it is: in env values and commands `$(NAME)` expands a variable and `$$`
 * is one `$`, so a `$` before `(` or `$` is written `$$` (`$$$$` here, as a replacement reads `$$` as `$`).
 */
export function literal(value: string): string {
  return value.replace(/\$(?=[$(])/g, '$$$$');
}
