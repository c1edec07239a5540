import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type * as z from 'zod/mini';
import { APP_NAME_LIMITS, appNameProblem, cutToNameLimits, normalizeAppName } from './app-name.js';
import type { appConfigSchema, dependsOnSchema, probeSchema } from './app-schema.js';
import {
  APP_DEFAULTS,
  type AppSpec,
  type Dependency,
  NESTED_DEFAULTS,
  type ProbeCheck,
  type ProbeSpec,
} from './app-spec.js';
import { readEnvFiles } from './env-file.js';
import { inheritedEnv } from './env-inherit.js';
import { ErrorCodes, VelosError } from './errors.js';
import { isNullPidFile } from './instance-pid-file.js';
import { quoteValue } from './quote-value.js';
import { parseUmask } from './umask.js';

// Turning a validated config entry into an AppSpec, without zod: `velos start <script>` runs it from the
// CLI's small entry (dist/velos.js) without loading the schema (issue 17); app-schema.ts re-exports it.

/** What is needed to turn a config entry into an `AppSpec`. */
export interface ResolveContext {
  /** Directory relative paths are resolved against (the config file's directory, or the shell's cwd). */
  baseDir: string;
  /** The environment of the `velos start` call, merged under the app's own `env`. */
  baseEnv: Record<string, string>;
  /** CPU count, for `instances: "max"`. */
  cpuCount: number;
}

/** Turns a validated config entry into a complete `AppSpec` with every default applied. */
export function resolveAppSpec(input: z.output<typeof appConfigSchema>, ctx: ResolveContext): AppSpec {
  const cwd = input.cwd ? resolve(ctx.baseDir, input.cwd) : ctx.baseDir;
  const instances = instanceCount(input.instances, ctx.cpuCount);
  const type = input.type ?? APP_DEFAULTS.type;
  // env files (in order) under the app's own env, both over the inherited environment
  const ownEnv = { ...envFromFiles(input, ctx.baseDir), ...(input.env ?? {}) };
  // PM2's filter_env: true inherits as inherit_env = false does; prefixes leave those variables out
  const isInherited = input.inherit_env !== false && input.filter_env !== true;
  const filterEnv = typeof input.filter_env === 'string' ? [input.filter_env] : input.filter_env;
  const dropped = Array.isArray(filterEnv) ? filterEnv : [];
  const spec: AppSpec = {
    name: input.name ?? deriveName(input.script, isScriptFile(input.script, cwd)),
    script: input.script,
    args: input.args ?? [...APP_DEFAULTS.args],
    cwd,
    env: { ...inheritedEnv(ctx.baseEnv, isInherited, dropped), ...ownEnv },
    ownEnv,
    // PM2 keeps a file's node_args over its interpreter_args
    interpreterArgs: input.node_args ?? input.interpreter_args ?? [...APP_DEFAULTS.interpreterArgs],
    instances,
    namespace: input.namespace ?? APP_DEFAULTS.namespace,
    // a job is never restarted (its exit is recorded and it runs again on its trigger), whatever it says
    autorestart: type === 'job' ? false : (input.autorestart ?? APP_DEFAULTS.autorestart),
    maxRestarts: input.max_restarts ?? APP_DEFAULTS.maxRestarts,
    minUptimeMs: input.min_uptime ?? APP_DEFAULTS.minUptimeMs,
    restartDelayMs: input.restart_delay ?? APP_DEFAULTS.restartDelayMs,
    expBackoffRestartDelayMs: input.exp_backoff_restart_delay ?? APP_DEFAULTS.expBackoffRestartDelayMs,
    maxBackoffDelayMs: input.max_backoff_delay ?? APP_DEFAULTS.maxBackoffDelayMs,
    stopExitCodes:
      input.stop_exit_codes === undefined
        ? [...APP_DEFAULTS.stopExitCodes]
        : ([] as number[]).concat(input.stop_exit_codes),
    killTimeoutMs: input.kill_timeout ?? APP_DEFAULTS.killTimeoutMs,
    stopSignal: input.kill_signal ?? APP_DEFAULTS.stopSignal,
    logFormat: input.log_format ?? APP_DEFAULTS.logFormat,
    mergeLogs: input.merge_logs ?? APP_DEFAULTS.mergeLogs,
    logRetain: input.log_retain ?? APP_DEFAULTS.logRetain,
    logCompress: input.log_compress ?? APP_DEFAULTS.logCompress,
    ...(input.log_engine === false ? { logEngine: false } : {}),
    ...(input.log_rules === undefined || input.log_rules.length === 0
      ? {}
      : { logRules: input.log_rules.map((rule) => ({ ...rule })) }),
    ...(input.metrics_url === undefined ? {} : { metricsUrl: input.metrics_url }),
    execMode: input.exec_mode ?? APP_DEFAULTS.execMode,
    waitReady: input.wait_ready ?? APP_DEFAULTS.waitReady,
    listenTimeoutMs: input.listen_timeout ?? APP_DEFAULTS.listenTimeoutMs,
    ignoreWatch:
      input.ignore_watch === undefined
        ? [...APP_DEFAULTS.ignoreWatch]
        : ([] as string[]).concat(input.ignore_watch),
    watchDelayMs: input.watch_delay ?? APP_DEFAULTS.watchDelayMs,
    type,
    jobHistory: input.history ?? APP_DEFAULTS.jobHistory,
    dependsOn: resolveDependsOn(input.depends_on),
  };
  if (!isInherited) spec.inheritEnv = false;
  if (dropped.length > 0) spec.filterEnv = [...dropped];
  if (input.autostart === false) spec.autostart = false;
  if (input.interpreter !== undefined) spec.interpreter = input.interpreter;
  if (input.uid !== undefined) spec.uid = input.uid;
  if (input.gid !== undefined) spec.gid = input.gid;
  if (input.log_per_instance) spec.logPerInstance = true;
  if (input.shutdown_with_message) spec.shutdownWithMessage = true;
  // PM2's `time: true` overrides a `log_date_format` beside it (its lines take the --time stamps)
  const dateFormat = input.time ? 'iso' : input.log_date_format;
  if (dateFormat !== undefined) spec.logDateFormat = dateFormat;
  if (input.out_file !== undefined) spec.outFile = absolute(cwd, input.out_file);
  if (input.error_file !== undefined) spec.errFile = absolute(cwd, input.error_file);
  if (input.log_file === true) spec.logFileInHome = true;
  else if (input.log_file !== undefined) spec.logFile = absolute(cwd, input.log_file);
  // a pid file at /dev/null is none, as in PM2's dialect: its removal at the end of a run took the device
  if (input.pid_file !== undefined && !isNullPidFile(absolute(cwd, input.pid_file)))
    spec.pidFile = absolute(cwd, input.pid_file);
  if (input.umask !== undefined) spec.umask = parseUmask(input.umask) ?? undefined;
  if (input.instance_var !== undefined) spec.instanceVar = input.instance_var;
  if (input.log_max_size !== undefined) spec.logMaxBytes = input.log_max_size;
  if (input.log_rotate_cron !== undefined) spec.logRotateCron = input.log_rotate_cron;
  if (input.max_memory !== undefined) spec.maxMemoryBytes = input.max_memory;
  if (input.cron_restart !== undefined) spec.cronRestart = input.cron_restart;
  if (input.increment_var !== undefined) spec.incrementVar = input.increment_var;
  const watch = watchPaths(input.watch, input.watch_paths);
  if (watch !== undefined) spec.watch = watch.map((path) => absolute(cwd, path));
  if (input.schedule !== undefined) spec.schedule = input.schedule;
  if (input.interval !== undefined) spec.intervalMs = input.interval;
  if (input.timeout !== undefined) spec.jobTimeoutMs = input.timeout;
  if (input.watchdog !== undefined) {
    spec.watchdog = {
      timeoutMs: input.watchdog.timeout ?? NESTED_DEFAULTS.watchdogTimeoutMs,
      // without an interval, a timeout shorter than the default interval is checked as often as it lasts
      intervalMs:
        input.watchdog.interval ??
        Math.min(
          NESTED_DEFAULTS.watchdogIntervalMs,
          input.watchdog.timeout ?? NESTED_DEFAULTS.watchdogTimeoutMs,
        ),
    };
    if (input.watchdog.log_file !== undefined) spec.watchdog.logFile = absolute(cwd, input.watchdog.log_file);
  }
  if (input.liveness_probe !== undefined) spec.livenessProbe = resolveProbe(input.liveness_probe);
  if (input.readiness_probe !== undefined) spec.readinessProbe = resolveProbe(input.readiness_probe);
  checkKinds(spec, input.instances);
  return spec;
}

/** The variables of an app's `env_file` (paths relative to the config file's directory). */
function envFromFiles(input: z.output<typeof appConfigSchema>, baseDir: string): Record<string, string> {
  if (input.env_file === undefined) return {};
  const paths = ([] as string[]).concat(input.env_file).map((path) => absolute(baseDir, path));
  try {
    return readEnvFiles(paths);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const name = input.name ?? deriveName(input.script);
    throw new VelosError(ErrorCodes.INVALID_CONFIG, `app '${name}': env_file: ${why}`, {
      data: { name, key: 'env_file', why },
    });
  }
}

/** The number of instances: "max" is the CPU count, -n the CPU count minus n (at least 1). */
function instanceCount(value: 'max' | number | undefined, cpuCount: number): number {
  if (value === undefined) return 1;
  if (value === 'max') return cpuCount;
  return value < 0 ? Math.max(1, cpuCount + value) : value;
}

/** `watch: true` watches the cwd; `watch_paths` (SPEC name) is the same as a list in `watch`. */
function watchPaths(
  watch: boolean | string | string[] | undefined,
  paths: string | string[] | undefined,
): string[] | undefined {
  const list: string[] = [];
  if (watch === true) list.push('.');
  else if (typeof watch === 'string') list.push(watch);
  else if (Array.isArray(watch)) list.push(...watch);
  if (paths !== undefined) list.push(...([] as string[]).concat(paths));
  return list.length > 0 ? [...new Set(list)] : undefined;
}

/** Why a job takes no `instances` but 1: a second instance would run beside the first (SUP-8). */
const JOB_INSTANCES_RULE = 'a job runs one instance, never several at once: expected 1';

const JOB_ONLY = [
  ['schedule', 'schedule'],
  ['intervalMs', 'interval'],
  ['jobTimeoutMs', 'timeout'],
] as const;

/**
 * Options that only make sense for one app type; throws INVALID_CONFIG naming the app. `instances` is
 * the count as written: a job takes 1 only, also where `"max"` or `0` would give 1 on this machine.
 */
function checkKinds(spec: AppSpec, instances: number | 'max' | undefined): void {
  const invalid = (key: string, why: string) =>
    new VelosError(ErrorCodes.INVALID_CONFIG, `app '${spec.name}': ${why}`, {
      data: { name: spec.name, key, why },
    });
  if (spec.type === 'job') {
    if (instances !== undefined && instances !== 1)
      throw invalid(
        'instances',
        // the schema reads 0 as "max": both are named, as the file may hold either
        `${JOB_INSTANCES_RULE}, got ${instances === 'max' ? 'one per CPU ("max" or 0)' : quoteValue(instances)}`,
      );
    if (spec.schedule !== undefined && spec.intervalMs !== undefined)
      throw invalid('interval', 'a job takes schedule or interval, not both');
    if (spec.execMode === 'cluster') throw invalid('exec_mode', 'a job cannot run in cluster mode');
    if (spec.cronRestart !== undefined)
      throw invalid(
        'cron_restart',
        'cron_restart restarts a running service; a job is not restarted, it starts a new run on its schedule or interval (for a job on a cron, use schedule instead)',
      );
  } else {
    for (const [key, option] of JOB_ONLY) {
      if (spec[key] === undefined) continue;
      // what to write, not only what is wrong: a service restarted on a cron is another key
      const hint = key === 'schedule' ? '; a service restarted on a cron takes cron_restart' : '';
      throw invalid(option, `${option} is for type: job (set the app's type to "job"${hint})`);
    }
  }
  if (spec.execMode === 'cluster' && (spec.uid !== undefined || spec.gid !== undefined))
    throw invalid(
      spec.uid !== undefined ? 'uid' : 'gid',
      'uid and gid are for fork mode: a cluster app runs as the daemon\'s user (use exec_mode = "fork")',
    );
  if (spec.execMode === 'cluster' && spec.umask !== undefined)
    throw invalid(
      'umask',
      'umask is for fork mode: a cluster app\'s workers take the daemon\'s (use exec_mode = "fork")',
    );
  if (spec.dependsOn.some((dependency) => dependency.name === spec.name))
    throw invalid('depends_on', 'depends_on names the app itself');
}

function resolveProbe(input: z.output<typeof probeSchema>): ProbeSpec {
  return {
    ...resolveCheck(input),
    intervalMs: input.interval ?? NESTED_DEFAULTS.probeIntervalMs,
    timeoutMs: input.timeout ?? NESTED_DEFAULTS.probeTimeoutMs,
    failureThreshold: input.failure_threshold ?? NESTED_DEFAULTS.probeFailureThreshold,
    successThreshold: input.success_threshold ?? NESTED_DEFAULTS.probeSuccessThreshold,
    initialDelayMs: input.initial_delay ?? NESTED_DEFAULTS.probeInitialDelayMs,
  };
}

function resolveCheck(input: z.output<typeof probeSchema>): ProbeCheck {
  if (input.http !== undefined) {
    const http = typeof input.http === 'string' ? { url: input.http } : input.http;
    const status = http.status ?? { min: 200, max: 399 };
    return {
      kind: 'http',
      url: http.url,
      statusMin: status.min,
      statusMax: status.max,
      headers: http.headers ?? {},
    };
  }
  if (input.tcp !== undefined) {
    if (typeof input.tcp === 'object')
      return { kind: 'tcp', host: input.tcp.host ?? '127.0.0.1', port: input.tcp.port };
    const text = String(input.tcp);
    const colon = text.lastIndexOf(':');
    const host = colon > 0 ? text.slice(0, colon).replace(/^\[|\]$/g, '') : '127.0.0.1';
    return { kind: 'tcp', host, port: Number(colon >= 0 ? text.slice(colon + 1) : text) };
  }
  return { kind: 'exec', command: input.exec! };
}

function resolveDependsOn(input: z.output<typeof dependsOnSchema> | undefined): Dependency[] {
  if (input === undefined) return [];
  const condition = NESTED_DEFAULTS.dependencyCondition;
  if (typeof input === 'string') return [{ name: input, condition }];
  if (Array.isArray(input)) {
    return input.map((entry) =>
      typeof entry === 'string'
        ? { name: entry, condition }
        : { name: entry.name, condition: entry.condition ?? condition },
    );
  }
  return Object.entries(input).map(([name, cond]) => ({
    name,
    condition: typeof cond === 'string' ? cond : cond.condition,
  }));
}

/**
 * Default app name: the script's file name without extension, or the command's first word after its
 * variable assignments (`FOO=1 node x.js` is `node`, as the shell runs node). `isFile` says the
 * script is one existing file whose path has spaces (`/srv/my app.js` is `my-app`, not `my`): the
 * supervisor runs such a path as the file, not as a command line.
 */
export function deriveName(script: string, isFile = false): string {
  const words = script.trim().split(/\s+/);
  const first = (isFile ? script : (words.find((word) => !ASSIGNMENT.test(word)) ?? words[0])) ?? 'app';
  const base = first.split('/').pop() || 'app';
  // a name is letters, digits (any script) and _ . @ - (it names log files): anything else becomes -,
  // and a combining mark that would come first too; cut so that `app-` still fits the limits
  const cleaned = normalizeAppName(base)
    .replace(/\.(c|m)?(js|ts)$|\.(py|sh|rb|pl)$/, '')
    .replace(/[^\p{L}\p{N}\p{M}_.@-]/gu, '-')
    .replace(/^\p{M}/u, '-');
  const name = cutToNameLimits(cleaned, APP_NAME_LIMITS.maxChars - 4, APP_NAME_LIMITS.maxBytes - 4) || 'app';
  return appNameProblem(name) === null ? name : `app-${name}`;
}

/** A shell variable assignment before a command (`NODE_ENV=production`). */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Whether a script with spaces is one existing file (as the supervisor resolves it, against the app's cwd). */
function isScriptFile(script: string, cwd: string): boolean {
  if (!/\s/.test(script)) return false;
  try {
    return statSync(resolve(cwd, script)).isFile();
  } catch {
    return false;
  }
}

/**
 * Splits a command-line string into arguments, honouring single and double quotes as a shell does: a
 * quoted part joins the text around it into one argument (`--title="a b"` is `--title=a b`).
 */
export function splitArgs(line: string): string[] {
  const words = line.match(/(?:"(?:\\.|[^"\\])*"|'[^']*'|\S)+/g) ?? [];
  return words.map((word) =>
    word.replace(/"((?:\\.|[^"\\])*)"|'([^']*)'/g, (_, double?: string, single?: string) =>
      double !== undefined ? double.replace(/\\(.)/g, '$1') : single!,
    ),
  );
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
