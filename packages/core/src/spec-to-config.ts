import type { AppSpec, ProbeSpec } from './app-spec.js';
import { formatUmask } from './umask.js';

/**
 * CFG-2: an `AppSpec` as a config file would write it (snake_case keys, durations like `"5s"`, sizes
 * like `"200M"`, only the app's own `env`): what `velos config show` prints, what the dashboard's
 * effective config shows, and what `config set` merges its changes into before validating with the
 * config schema again. Imports no schema: the dashboard bundles it (`@velos/core/spec-to-config`).
 */
export function specToConfig(spec: AppSpec): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: spec.name,
    script: spec.script,
    args: spec.args,
    cwd: spec.cwd,
    // only the app's own variables: the inherited environment is not config
    env: spec.ownEnv && Object.keys(spec.ownEnv).length > 0 ? spec.ownEnv : undefined,
    inherit_env: spec.inheritEnv,
    autostart: spec.autostart,
    filter_env: spec.filterEnv,
    uid: spec.uid,
    gid: spec.gid,
    interpreter: spec.interpreter,
    interpreter_args: spec.interpreterArgs,
    instances: spec.instances,
    namespace: spec.namespace,
    autorestart: spec.autorestart,
    max_restarts: spec.maxRestarts,
    min_uptime: durationText(spec.minUptimeMs),
    restart_delay: durationText(spec.restartDelayMs),
    exp_backoff_restart_delay: durationText(spec.expBackoffRestartDelayMs),
    max_backoff_delay: durationText(spec.maxBackoffDelayMs),
    stop_exit_codes: spec.stopExitCodes,
    kill_timeout: durationText(spec.killTimeoutMs),
    kill_signal: spec.stopSignal,
    log_format: spec.logFormat,
    log_date_format: spec.logDateFormat,
    merge_logs: spec.mergeLogs,
    log_per_instance: spec.logPerInstance,
    out_file: spec.outFile,
    error_file: spec.errFile,
    log_file: spec.logFile ?? (spec.logFileInHome ? true : undefined),
    pid_file: spec.pidFile,
    umask: spec.umask === undefined ? undefined : formatUmask(spec.umask),
    log_max_size: sizeText(spec.logMaxBytes),
    log_rotate_cron: spec.logRotateCron,
    log_retain: spec.logRetain,
    log_compress: spec.logCompress,
    log_engine: spec.logEngine,
    log_rules: spec.logRules,
    metrics_url: spec.metricsUrl,
    max_memory: sizeText(spec.maxMemoryBytes),
    cron_restart: spec.cronRestart,
    exec_mode: spec.execMode,
    increment_var: spec.incrementVar,
    instance_var: spec.instanceVar,
    wait_ready: spec.waitReady,
    listen_timeout: durationText(spec.listenTimeoutMs),
    shutdown_with_message: spec.shutdownWithMessage,
    watch: spec.watch,
    ignore_watch: spec.ignoreWatch,
    watch_delay: durationText(spec.watchDelayMs),
    type: spec.type,
    schedule: spec.schedule,
    interval: durationText(spec.intervalMs),
    timeout: durationText(spec.jobTimeoutMs),
    history: spec.jobHistory,
    depends_on:
      spec.dependsOn.length === 0
        ? undefined
        : spec.dependsOn.map((dependency) => ({ name: dependency.name, condition: dependency.condition })),
  };
  if (spec.watchdog) {
    entry.watchdog = withoutUndefined({
      timeout: durationText(spec.watchdog.timeoutMs),
      interval: durationText(spec.watchdog.intervalMs),
      log_file: spec.watchdog.logFile,
    });
  }
  if (spec.livenessProbe) entry.liveness_probe = probeToConfig(spec.livenessProbe);
  if (spec.readinessProbe) entry.readiness_probe = probeToConfig(spec.readinessProbe);
  return withoutUndefined(entry);
}

/** Milliseconds the short way a config file takes back: `"5s"`, `"2m"`, `"1500ms"`. */
export function durationText(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  if (ms === 0) return '0';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function sizeText(bytes: number | undefined): string | number | undefined {
  if (bytes === undefined) return undefined;
  for (const [unit, size] of [
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes;
}

function probeToConfig(probe: ProbeSpec): Record<string, unknown> {
  const check: Record<string, unknown> =
    probe.kind === 'http'
      ? {
          http: {
            url: probe.url,
            status:
              probe.statusMin === probe.statusMax ? probe.statusMin : `${probe.statusMin}-${probe.statusMax}`,
            ...(Object.keys(probe.headers).length > 0 ? { headers: probe.headers } : {}),
          },
        }
      : probe.kind === 'tcp'
        ? { tcp: { host: probe.host, port: probe.port } }
        : { exec: probe.command };
  return {
    ...check,
    interval: durationText(probe.intervalMs),
    timeout: durationText(probe.timeoutMs),
    failure_threshold: probe.failureThreshold,
    success_threshold: probe.successThreshold,
    initial_delay: durationText(probe.initialDelayMs),
  };
}

function withoutUndefined(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));
}
