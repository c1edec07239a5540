import { writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { AppSpec, ProbeSpec } from '@velos/core';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FIXTURE_CONFIGS, loadSpecs, runExport, unitEnv, warnings } from './export-helpers.js';
import { Scratch } from './startup-helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

/** The lossy options each fixture config has for Kubernetes (app: option). */
const KUBERNETES_LOSSES: Record<string, string[]> = {
  'velos.toml': ['clock: interval'],
  'sboxmgr-update.toml': [],
  'web-stack.yaml': [
    'api: depends_on',
    'worker: cron_restart',
    'worker: depends_on',
    'worker: kill_signal',
    'worker: stop_exit_codes',
  ],
};

/** A CronJob schedule per fixture job. */
const SCHEDULES: Record<string, string> = {
  clock: '* * * * *',
  'sboxmgr-update': '*/30 * * * *',
  report: '*/15 9-17 * * 1-5',
};

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: object };
};
interface PodSpec {
  terminationGracePeriodSeconds: number;
  restartPolicy?: string;
  containers: Container[];
}
interface DeploymentSpec {
  replicas: number;
  selector: unknown;
  template: { metadata: { labels: unknown }; spec: PodSpec };
}
interface JobSpec {
  backoffLimit: number;
  activeDeadlineSeconds?: number;
  template: { spec: PodSpec };
}
interface CronJobSpec {
  schedule: string;
  concurrencyPolicy: string;
  jobTemplate: { spec: JobSpec };
}
type Container = Record<string, unknown> & { command: string[]; env: { name: string; value: string }[] };

/** Validates one object against the Kubernetes API schema of its kind (kubernetes-models). */
function validate(manifest: Manifest): void {
  const models = { Deployment, CronJob, Job, Service, Secret } as const;
  const Model = models[manifest.kind as keyof typeof models];
  if (!Model) throw new Error(`unexpected kind ${manifest.kind}`);
  new Model(manifest as never).validate();
}

function expectedProbe(probe: ProbeSpec, isLiveness: boolean): Record<string, unknown> {
  const timing = {
    periodSeconds: Math.ceil(probe.intervalMs / 1000),
    timeoutSeconds: Math.ceil(probe.timeoutMs / 1000),
    failureThreshold: probe.failureThreshold,
    successThreshold: isLiveness ? 1 : probe.successThreshold,
    initialDelaySeconds: Math.ceil(probe.initialDelayMs / 1000),
  };
  if (probe.kind === 'tcp') return { tcpSocket: { port: probe.port }, ...timing };
  if (probe.kind === 'exec') return { exec: { command: ['/bin/sh', '-c', probe.command] }, ...timing };
  const url = new URL(probe.url);
  return { httpGet: { path: url.pathname, port: Number(url.port), scheme: 'HTTP' }, ...timing };
}

/** A command word or env value as Kubernetes reads it: `$$` is `$`, `$(NAME)` a variable (`<NAME>` here). */
function asKubernetesReads(text: string): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) =>
    match === '$$' ? '$' : `<${name}>`,
  );
}

function expectContainer(spec: AppSpec, container: Container, image: string): void {
  expect(container.name).toBe(spec.name);
  expect(container.image).toBe(image);
  const script = resolve(spec.cwd, spec.script);
  expect(container.command).toEqual(
    spec.script.includes(' ')
      ? ['/bin/sh', '-c', spec.script]
      : [
          expect.any(String),
          script.startsWith(`${spec.cwd}/`) ? script.slice(spec.cwd.length + 1) : script,
          ...spec.args,
        ],
  );
  expect(container.env).toEqual(Object.entries(unitEnv(spec)).map(([name, value]) => ({ name, value })));
  expect(container.resources).toEqual(
    spec.maxMemoryBytes === undefined
      ? undefined
      : { limits: { memory: `${spec.maxMemoryBytes / 1024 ** 2}Mi` } },
  );
  expect(container.livenessProbe).toEqual(spec.livenessProbe && expectedProbe(spec.livenessProbe, true));
  expect(container.readinessProbe).toEqual(spec.readinessProbe && expectedProbe(spec.readinessProbe, false));
}

describe('velos export kubernetes', () => {
  it('covers every fixture config', () => {
    expect(FIXTURE_CONFIGS.map((file) => basename(file)).sort()).toEqual(
      Object.keys(KUBERNETES_LOSSES).sort(),
    );
  });

  it.each(FIXTURE_CONFIGS)(
    'exports %s into objects valid against the API schemas, field by field',
    async (config) => {
      const specs = await loadSpecs(config);
      const run = await runExport(scratch, 'kubernetes', config, [
        '--lossy',
        '--namespace',
        'shop',
        '--image',
        'reg/app:1',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(warnings(run.stderr)).toEqual(KUBERNETES_LOSSES[basename(config)]);
      const text = run.files.get('kubernetes.yaml') ?? '';
      expect(text).toMatch(/^# Exported from \S+ by `velos export kubernetes`/);
      const manifests = parseAllDocuments(text).map((doc) => doc.toJS() as Manifest);
      for (const manifest of manifests) validate(manifest);
      for (const spec of specs) {
        const mine = manifests.filter((m) => m.metadata.name === spec.name);
        const labels = {
          'app.kubernetes.io/name': spec.name,
          'app.kubernetes.io/managed-by': 'velos',
          'velos.dev/namespace': spec.namespace,
        };
        for (const manifest of mine)
          expect(manifest.metadata).toEqual({ name: spec.name, namespace: 'shop', labels });
        if (spec.type === 'job') {
          const isOneShot = spec.schedule === undefined && spec.intervalMs === undefined;
          expect(mine.map((m) => m.kind)).toEqual([isOneShot ? 'Job' : 'CronJob']);
          const cron = (mine[0] as unknown as { spec: CronJobSpec }).spec;
          const job = isOneShot ? (mine[0] as unknown as { spec: JobSpec }).spec : cron.jobTemplate.spec;
          if (!isOneShot) {
            expect(cron.schedule).toBe(SCHEDULES[spec.name]);
            expect(cron.concurrencyPolicy).toBe('Forbid');
          }
          expect(job.backoffLimit).toBe(0);
          expect(job.activeDeadlineSeconds).toBe(
            spec.jobTimeoutMs === undefined ? undefined : spec.jobTimeoutMs / 1000,
          );
          const pod = job.template.spec;
          expect(pod.restartPolicy).toBe('Never');
          expect(pod.terminationGracePeriodSeconds).toBe(spec.killTimeoutMs / 1000);
          expectContainer(spec, pod.containers[0] as Container, 'reg/app:1');
          continue;
        }
        const port =
          spec.readinessProbe?.kind === 'http' ? Number(new URL(spec.readinessProbe.url).port) : undefined;
        const numericPort = /^[1-9]\d*$/.test(spec.ownEnv?.PORT ?? '')
          ? Number(spec.ownEnv?.PORT)
          : undefined;
        const servicePort = port ?? numericPort;
        expect(mine.map((m) => m.kind)).toEqual(
          servicePort === undefined ? ['Deployment'] : ['Deployment', 'Service'],
        );
        const deployment = (mine[0] as unknown as { spec: DeploymentSpec }).spec;
        expect(deployment.replicas).toBe(spec.instances);
        expect(deployment.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': spec.name } });
        expect(deployment.template.metadata.labels).toEqual(labels);
        expect(deployment.template.spec.terminationGracePeriodSeconds).toBe(spec.killTimeoutMs / 1000);
        expectContainer(spec, deployment.template.spec.containers[0] as Container, 'reg/app:1');
        if (servicePort !== undefined) {
          expect((mine[1] as unknown as { spec: unknown }).spec).toEqual({
            selector: { 'app.kubernetes.io/name': spec.name },
            ports: [{ name: 'app', port: servicePort, targetPort: servicePort, protocol: 'TCP' }],
          });
          expect(deployment.template.spec.containers[0]?.ports).toEqual([
            { name: 'app', containerPort: servicePort, protocol: 'TCP' },
          ]);
        }
      }
      expect(manifests.filter((m) => m.kind !== 'Service')).toHaveLength(specs.length);
    },
  );

  it('puts env values that look secret in a Secret the Deployment refers to; both files validate', async () => {
    const config = join(scratch.dir(), 'secrets.toml');
    writeFileSync(
      config,
      '[[apps]]\nname = "Web API"\nscript = "node"\nenv = { PORT = "80", STRIPE_SECRET_KEY = "sk_$(X)" }\n',
    );
    const run = await runExport(scratch, 'kubernetes', config, ['--image', 'web:1', '--namespace', 'prod']);
    expect(run.code, run.stderr).toBe(0);
    const docs = ['kubernetes.yaml', 'kubernetes-secrets.yaml'].flatMap((name) =>
      parseAllDocuments(run.files.get(name) ?? '').map((doc) => doc.toJS() as Manifest),
    );
    for (const manifest of docs) validate(manifest);
    const secret = docs.find((doc) => doc.kind === 'Secret') as Manifest & { stringData: object };
    expect(secret.metadata).toMatchObject({ name: 'web-api-env', namespace: 'prod' });
    // a Secret's value is not expanded: $(X) stays as written
    expect(secret.stringData).toEqual({ STRIPE_SECRET_KEY: 'sk_$(X)' });
    const deployment = docs.find((doc) => doc.kind === 'Deployment') as Manifest & { spec: DeploymentSpec };
    expect(deployment.spec.template.spec.containers[0]?.env).toEqual([
      { name: 'PORT', value: '80' },
      {
        name: 'STRIPE_SECRET_KEY',
        valueFrom: { secretKeyRef: { name: 'web-api-env', key: 'STRIPE_SECRET_KEY' } },
      },
    ]);
  });

  it('writes every $ of a command and an env value as $$, which Kubernetes reads back as one $', async () => {
    const config = join(scratch.dir(), 'dollars.toml');
    writeFileSync(
      config,
      "[[apps]]\nname = \"web\"\nscript = \"node\"\nargs = ['$(HOME)', 'a$$b', '$x']\nenv = { A = 'x$(B)y', B = 'v', C = 'p$$q' }\n",
    );
    const run = await runExport(scratch, 'kubernetes', config, ['--image', 'web:1']);
    expect(run.code, run.stderr).toBe(0);
    const [deployment] = parseAllDocuments(run.files.get('kubernetes.yaml') ?? '').map(
      (doc) => doc.toJS() as Manifest & { spec: DeploymentSpec },
    );
    const container = deployment!.spec.template.spec.containers[0]!;
    // Kubernetes expanded $(B) and read $$ as $: A ran as xvy and C as p$q (a password changed)
    expect(container.command.slice(1).map(asKubernetesReads)).toEqual(['$(HOME)', 'a$$b', '$x']);
    expect(container.env.map(({ name, value }) => [name, asKubernetesReads(value)])).toEqual([
      ['A', 'x$(B)y'],
      ['B', 'v'],
      ['C', 'p$$q'],
    ]);
  });

  it('the schema check fails on a broken object (the validator is real)', () => {
    expect(() =>
      validate({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x', labels: {} },
        spec: { replicas: 'two' },
      } as never),
    ).toThrow(/replicas/);
  });

  it('reports a umask as lossy (a pod has none) and says where to set it', async () => {
    const config = join(scratch.dir(), 'umask.yaml');
    writeFileSync(config, 'apps:\n  - name: web\n    script: node\n    umask: "0077"\n');
    const run = await runExport(scratch, 'kubernetes', config, ['--lossy']);
    expect(run.code, run.stderr).toBe(0);
    expect(warnings(run.stderr)).toEqual(['web: umask']);
    expect(run.stderr).toContain(
      "velos export: warning: web: umask: umask 077 is not carried: the pod's processes get the image's (022 by default); instead: set it in the image's entrypoint (umask 077 before exec)",
    );
  });

  it('without --image, runs an image named after the app and says so', async () => {
    const config = FIXTURE_CONFIGS.find((file) => file.endsWith('sboxmgr-update.toml')) ?? '';
    const run = await runExport(scratch, 'kubernetes', config);
    expect(run.code, run.stderr).toBe(0);
    expect(run.files.get('kubernetes.yaml')).toContain('image: sboxmgr-update:latest');
    expect(run.stderr).toContain('velos export: note: sboxmgr-update: image: no --image given');
  });
});
