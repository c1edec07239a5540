import { APP_DEFAULTS, type AppSpec, type DependencyCondition, type ProbeSpec } from '@velos/core';
import { containerArgv, isScriptOutsideCwd } from './app-command.js';
import {
  composeBytes,
  composeDuration,
  type ExportFile,
  type ExportOptions,
  type FileSecrets,
  imageOf,
} from './export-file.js';
import { type LossyReport, noteVelosOnly } from './lossy-report.js';
import { appPort } from './probe-target.js';
import { composeUser } from './run-as.js';
import { envFileText, exportedEnv, splitSecretEnv } from './secret-env.js';
import { targetName } from './target-names.js';
import { toYaml } from './yaml-text.js';

/** The name of the file `velos export compose` writes. */
export const COMPOSE_FILE = 'compose.yaml';

const CONDITIONS: Record<DependencyCondition, string> = {
  started: 'service_started',
  healthy: 'service_healthy',
  completed_successfully: 'service_completed_successfully',
};

/**
 * Turns the apps into a Compose document: one service per app with its image (`--image`) or build
 * (`--build`, else the app's directory), command, user, env, restart policy, healthcheck, depends_on and deploy.
 * @example composeDocument(specs, new LossyReport('compose', false), { source: 'velos.toml' })
 */
export function composeDocument(
  specs: AppSpec[],
  report: LossyReport,
  options: ExportOptions,
): Record<string, unknown> {
  const names = new Set(specs.map((spec) => spec.name));
  const checked = new Set(specs.filter(hasHealthcheck).map((spec) => spec.name));
  const services: Record<string, unknown> = {};
  for (const spec of specs) {
    noteVelosOnly(report, spec);
    services[serviceName(spec.name)] = composeService(spec, names, checked, report, options);
  }
  return { services };
}

/** The Compose file of the apps (`compose.yaml`), as YAML. */
export async function exportCompose(
  specs: AppSpec[],
  report: LossyReport,
  options: ExportOptions,
): Promise<ExportFile[]> {
  const document = composeDocument(specs, report, options);
  const files: ExportFile[] = [];
  const kept: FileSecrets[] = [];
  for (const spec of specs) {
    const env = splitSecretEnv(exportedEnv(spec));
    if (env.kept.length > 0) kept.push({ app: spec.name, keys: env.kept, isMoved: false });
    const moved = Object.keys(env.moved);
    if (moved.length === 0) continue;
    const text = envFileText(
      [
        `The env values of ${spec.name} that look secret, read by its service's env_file (keep it mode 0600).`,
      ],
      env.moved,
    );
    files.push({
      app: spec.name,
      name: envFileName(spec.name),
      text,
      secrets: [{ app: spec.name, keys: moved, isMoved: true }],
    });
  }
  const compose: ExportFile = { name: COMPOSE_FILE, text: await toYaml(document) };
  return [kept.length > 0 ? { ...compose, secrets: kept } : compose, ...files];
}

/** The env file beside compose.yaml that holds an app's values that look secret. */
function envFileName(app: string): string {
  return `${serviceName(app)}.env`;
}

function composeService(
  spec: AppSpec,
  names: Set<string>,
  checked: Set<string>,
  report: LossyReport,
  options: ExportOptions,
): Record<string, unknown> {
  const app = spec.name;
  const service: Record<string, unknown> = {};
  if (spec.autostart === false) {
    report.lossy(
      app,
      'autostart',
      '`docker compose up` starts every service',
      'give the service a profile (profiles: [manual]) and start it with `docker compose up <service>`',
    );
  }
  if (options.image !== undefined) service.image = imageOf(options.image, app);
  else {
    service.build = options.build ?? spec.cwd;
    if (isScriptOutsideCwd(spec)) {
      report.note(
        app,
        'script',
        `the script lies outside ${spec.cwd}, the build context`,
        'copy it into the image, or pass --image',
      );
    }
  }
  service.command = containerArgv(spec).map(literal);
  const user = composeUser(spec, report);
  if (user !== undefined) service.user = user;
  const env = splitSecretEnv(exportedEnv(spec));
  service.environment = Object.fromEntries(
    Object.entries(env.plain).map(([name, value]) => [name, literal(value)]),
  );
  if (Object.keys(env.moved).length > 0) service.env_file = [envFileName(app)];
  service.labels = { 'dev.velos.app': app, 'dev.velos.namespace': spec.namespace };
  service.restart = restartPolicy(spec, report);
  service.stop_signal = spec.stopSignal;
  service.stop_grace_period = composeDuration(spec.killTimeoutMs);
  const port = spec.type === 'service' ? appPort(spec) : undefined;
  if (port !== undefined) {
    service.expose = [String(port)];
    report.note(
      app,
      'port',
      `port ${port} is reached by the other services (${serviceName(app)}:${port}), not published on the host as it was`,
      `publish it with ports: ["${port}:${port}"]${spec.instances > 1 ? ' on a proxy service in front of the replicas' : ''}`,
    );
  }
  const probe = healthProbe(spec);
  if (probe !== undefined) service.healthcheck = healthcheck(app, probe, report);
  if (spec.livenessProbe !== undefined) {
    report.lossy(
      app,
      'liveness_probe',
      'Docker marks an unhealthy container but does not restart it',
      'run an autoheal container, or Swarm/Kubernetes, which restart unhealthy containers',
    );
  }
  const dependsOn = dependencies(spec, names, checked, report);
  if (Object.keys(dependsOn).length > 0) service.depends_on = dependsOn;
  const deploy: Record<string, unknown> = { replicas: spec.instances };
  if (spec.maxMemoryBytes !== undefined) {
    deploy.resources = { limits: { memory: composeBytes(spec.maxMemoryBytes) } };
  }
  service.deploy = deploy;
  return service;
}

function restartPolicy(spec: AppSpec, report: LossyReport): string {
  const app = spec.name;
  if (spec.type === 'job' && (spec.schedule !== undefined || spec.intervalMs !== undefined)) {
    report.lossy(
      app,
      spec.schedule !== undefined ? 'schedule' : 'interval',
      'Compose has no scheduler: the job runs once when the project starts',
      'run `docker compose run --rm <service>` from cron or a systemd timer (velos export systemd)',
    );
  }
  if (spec.type === 'job') {
    if (spec.jobTimeoutMs !== undefined) {
      report.lossy(app, 'timeout', 'a run is not stopped after its timeout', 'wrap the command in `timeout`');
    }
    return 'no';
  }
  if (!spec.autorestart) return 'no';
  if (spec.cronRestart !== undefined) {
    report.lossy(
      app,
      'cron_restart',
      'no restart on a schedule',
      'run `docker compose restart <service>` from cron or a systemd timer',
    );
  }
  if (spec.stopExitCodes.length > 0) {
    report.lossy(
      app,
      'stop_exit_codes',
      'Docker cannot spare chosen exit codes from restarts',
      'exit with 0 and use restart: on-failure',
    );
  }
  if (spec.maxRestarts !== APP_DEFAULTS.maxRestarts) {
    report.note(
      app,
      'max_restarts',
      'Docker restarts without a limit, with its own growing delay',
      'restart: on-failure:<n> caps failed restarts',
    );
  }
  if (spec.restartDelayMs > 0) {
    report.note(
      app,
      'restart_delay',
      `Docker waits its own delay before a restart (100ms, doubled at each restart in a row), not ${composeDuration(spec.restartDelayMs)}`,
      "nothing to set: Docker's delay cannot be chosen; an app that must not start again at once waits at its start (sleep in its entrypoint)",
    );
  }
  return 'unless-stopped';
}

function healthcheck(app: string, probe: ProbeSpec, report: LossyReport): Record<string, unknown> {
  const timing = {
    interval: composeDuration(probe.intervalMs),
    timeout: composeDuration(probe.timeoutMs),
    retries: probe.failureThreshold,
    start_period: composeDuration(probe.initialDelayMs),
  };
  if (probe.kind === 'exec') return { test: ['CMD-SHELL', literal(probe.command)], ...timing };
  if (probe.kind === 'tcp') {
    report.note(app, 'tcp probe', 'checked with `nc -z` in the container', 'the image needs nc (netcat)');
    return { test: ['CMD', 'nc', '-z', probe.host, String(probe.port)], ...timing };
  }
  report.note(app, 'http probe', 'checked with `curl -f` in the container', 'the image needs curl');
  if (probe.statusMin !== 200 || probe.statusMax !== 399 || Object.keys(probe.headers).length > 0) {
    report.lossy(
      app,
      'http probe',
      'curl -f passes any status below 400 and sends no headers',
      'use an exec probe',
    );
  }
  return { test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', literal(probe.url)], ...timing };
}

/** The probe that becomes the service's healthcheck: the readiness probe, else the liveness probe. */
function healthProbe(spec: AppSpec): ProbeSpec | undefined {
  return spec.readinessProbe ?? spec.livenessProbe;
}

function hasHealthcheck(spec: AppSpec): boolean {
  return healthProbe(spec) !== undefined;
}

function dependencies(
  spec: AppSpec,
  names: Set<string>,
  checked: Set<string>,
  report: LossyReport,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const dep of spec.dependsOn) {
    if (!names.has(dep.name)) {
      report.lossy(
        spec.name,
        'depends_on',
        `${dep.name} is not an app of this config`,
        'export the config that defines it together with this one',
      );
      continue;
    }
    // Velos counts an app without a probe as healthy once it runs; Compose would wait forever for
    // the health of a service that has no healthcheck, so that wait is `service_started`.
    const condition = dep.condition === 'healthy' && !checked.has(dep.name) ? 'started' : dep.condition;
    result[serviceName(dep.name)] = { condition: CONDITIONS[condition] };
  }
  return result;
}

/** An app's service name: as it is, or its IDNA form (`checkTargetNames` refuses names that have none). */
function serviceName(app: string): string {
  return targetName(app, 'compose') ?? app;
}

/** A string Compose takes as it is: `$` would start a variable of the project's environment. */
export function literal(value: string): string {
  return value.replaceAll('$', '$$$$');
}
