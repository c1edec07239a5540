import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import {
  APP_DEFAULTS,
  type AppSpec,
  type Dependency,
  NESTED_DEFAULTS,
  type ProbeCheck,
  type ProbeSpec,
} from './app-spec.js';
import { inheritedEnv } from './env-inherit.js';
import { ErrorCodes, VelosError } from './errors.js';
import { quoteValue } from './quote-value.js';
import { durationValue, failValue } from './schema-values.js';
import { parseSizeBytes } from './units.js';

// zod/mini: `velos start` loads this schema on every run, and it costs ~2 ms here against ~40 ms for zod classic.
z.config(en());

const duration = durationValue();

const stringList = z.pipe(
  z.union([z.string(), z.array(z.string())]),
  z.transform((value) => (Array.isArray(value) ? value : splitArgs(value))),
);

/** Environment variables as written in a config file; numbers and booleans become strings. */
export const envValues = z.pipe(
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  z.transform((env) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]))),
);

function size(minBytes: number) {
  return z.pipe(
    z.union([z.number(), z.string()]),
    z.transform((value, ctx) => {
      const bytes = parseSizeBytes(value);
      if (bytes !== null && bytes >= minBytes) return bytes;
      return failValue(
        ctx,
        value,
        `expected a size like "200M", "1G" or a number of bytes (at least ${minBytes}), got ${quoteValue(value)}`,
      );
    }),
  );
}

function integer(min: number, message: string) {
  return z.int({ error: message }).check(z.gte(min, { error: message }));
}

function integerUpTo(min: number, max: number, message: string) {
  return z.int({ error: message }).check(z.gte(min, { error: message }), z.lte(max, { error: message }));
}

/** The most instances of one app (the daemon's limit). */
const MAX_INSTANCES = 1024;

/** Above zero: a job's interval and timeout, a probe's interval and timeout. */
const positiveDuration = durationValue(1);

/** The watchdog's times: ranges the timer and the check can honour; the interval within the timeout. */
export const WATCHDOG_LIMITS_MS = { minTimeout: 1000, minInterval: 100 } as const;

const watchdogSchema = z
  .strictObject({
    timeout: z.optional(durationValue(WATCHDOG_LIMITS_MS.minTimeout)),
    interval: z.optional(durationValue(WATCHDOG_LIMITS_MS.minInterval)),
    log_file: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.refine(
      (w) => w.interval === undefined || w.interval <= (w.timeout ?? NESTED_DEFAULTS.watchdogTimeoutMs),
      {
        message: `expected an interval no longer than the timeout (default timeout ${NESTED_DEFAULTS.watchdogTimeoutMs / 1000}s), or the watchdog checks too late`,
        path: ['interval'],
      },
    ),
  );

const exitCode = z.int().check(z.gte(0), z.lte(255));
const nonEmpty = z.string().check(z.minLength(1));

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

/**
 * A string checked by `text`, or anything else checked by `table`: unlike a union, the errors of the
 * form that was written come through (a union only says "Invalid input").
 */
function stringOr<S extends z.ZodMiniType<string, string>, T extends z.ZodMiniType>(text: S, table: T) {
  return z.pipe(
    z.unknown(),
    z.transform((value, ctx): z.output<S> | z.output<T> => {
      const result = (typeof value === 'string' ? text : table).safeParse(value);
      if (result.success) return result.data as z.output<S> | z.output<T>;
      for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as never);
      return z.NEVER;
    }),
  );
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `"200-399"`, `200` or `"2xx"` → an inclusive status range. */
const statusRange = z.pipe(
  z.union([z.int(), z.string()]),
  z.transform((value, ctx) => {
    const text = String(value).trim();
    const single = /^([1-5]\d\d)$/.exec(text);
    if (single) return { min: Number(single[1]), max: Number(single[1]) };
    const range = /^([1-5]\d\d)\s*-\s*([1-5]\d\d)$/.exec(text);
    if (range && Number(range[1]) <= Number(range[2]))
      return { min: Number(range[1]), max: Number(range[2]) };
    const klass = /^([1-5])xx$/i.exec(text);
    if (klass) return { min: Number(klass[1]) * 100, max: Number(klass[1]) * 100 + 99 };
    return failValue(ctx, value, `expected a status like 200, "200-399" or "2xx", got ${quoteValue(value)}`);
  }),
);

const port = z.int().check(z.gte(1, 'expected a port, 1-65535'), z.lte(65535, 'expected a port, 1-65535'));

const httpUrl = z.string().check(z.regex(/^https?:\/\//, 'expected an http:// or https:// URL'));
const httpCheck = stringOr(
  httpUrl,
  z.strictObject({
    url: httpUrl,
    status: z.optional(statusRange),
    headers: z.optional(z.record(z.string(), z.string())),
  }),
);

const tcpCheck = z.union([
  port,
  z.string().check(
    z.regex(/^(.+:)?\d{1,5}$/, 'expected "host:port" or a port'),
    z.refine((text) => {
      const port = Number(/\d+$/.exec(text)?.[0]);
      return port >= 1 && port <= 65535;
    }, 'expected a port, 1-65535'),
  ),
  z.strictObject({ host: z.optional(nonEmpty), port }),
]);

const probeSchema = z
  .strictObject({
    http: z.optional(httpCheck),
    tcp: z.optional(tcpCheck),
    exec: z.optional(nonEmpty),
    interval: z.optional(positiveDuration),
    timeout: z.optional(positiveDuration),
    failure_threshold: z.optional(integer(1, 'expected a whole number, 1 or more')),
    success_threshold: z.optional(integer(1, 'expected a whole number, 1 or more')),
    initial_delay: z.optional(duration),
  })
  .check(
    z.refine(
      (probe) => [probe.http, probe.tcp, probe.exec].filter((check) => check !== undefined).length === 1,
      'expected exactly one of http, tcp or exec',
    ),
  );

const CONDITIONS = ['started', 'healthy', 'completed_successfully'] as const;

const dependsOnSchema = z.union([
  nonEmpty,
  z.array(z.union([nonEmpty, z.strictObject({ name: nonEmpty, condition: z.optional(z.enum(CONDITIONS)) })])),
  z.record(nonEmpty, z.enum(CONDITIONS)),
]);

/**
 * Schema of one app as written in a config file (snake_case, PM2-compatible names). Unknown keys
 * are rejected so that a typo never silently does nothing.
 */
export const appConfigSchema = z.strictObject({
  name: z.optional(
    z.string().check(
      z.regex(/^[A-Za-z0-9_.@-][A-Za-z0-9_.@ -]{0,99}$/, 'expected 1-100 letters, digits, spaces or _ . @ -'),
      z.refine((n) => n !== 'all' && !/^\d+$/.test(n), 'must not be "all" or a number (they are targets)'),
    ),
  ),
  script: z.string().check(z.minLength(1, 'expected a script, binary or command line')),
  args: z.optional(stringList),
  cwd: z.optional(z.string()),
  env: z.optional(envValues),
  inherit_env: z.optional(z.boolean()),
  interpreter: z.optional(nonEmpty),
  interpreter_args: z.optional(stringList),
  node_args: z.optional(stringList),
  instances: z.optional(
    z.pipe(
      z.unknown(),
      z.transform((value, ctx) => {
        // PM2: "max" or 0 = one per CPU, -n = CPUs minus n (at least one)
        if (value === 'max' || value === 0) return 'max' as const;
        if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > MAX_INSTANCES)
          return failValue(ctx, value, `expected at most ${MAX_INSTANCES} instances, got ${value}`);
        if (typeof value === 'number' && Number.isInteger(value)) return value;
        return failValue(ctx, value, 'expected a whole number, "max", 0 (one per CPU) or -n (CPUs minus n)');
      }),
    ),
  ),
  namespace: z.optional(nonEmpty),
  autorestart: z.optional(z.boolean()),
  max_restarts: z.optional(integer(0, 'expected a whole number, 0 or more')),
  min_uptime: z.optional(duration),
  restart_delay: z.optional(duration),
  exp_backoff_restart_delay: z.optional(duration),
  max_backoff_delay: z.optional(duration),
  stop_exit_codes: z.optional(
    z.union([exitCode, z.array(exitCode)], {
      error: 'expected an exit code or a list of exit codes (0-255)',
    }),
  ),
  kill_timeout: z.optional(duration),
  kill_signal: z.optional(z.enum(SIGNALS)),
  log_format: z.optional(z.enum(['plain', 'json'])),
  log_date_format: z.optional(nonEmpty),
  time: z.optional(z.boolean()),
  merge_logs: z.optional(z.boolean()),
  log_per_instance: z.optional(z.boolean()),
  out_file: z.optional(nonEmpty),
  error_file: z.optional(nonEmpty),
  // PM2: a path, or true for the default combined file logs/<name>.log
  log_file: z.optional(
    z.union([nonEmpty, z.literal(true)], { error: 'expected a file path, or true for logs/<name>.log' }),
  ),
  pid_file: z.optional(nonEmpty),
  log_max_size: z.optional(size(1024)),
  log_rotate_cron: z.optional(nonEmpty),
  log_retain: z.optional(integerUpTo(0, 1000, 'expected a whole number, 0 to 1000')),
  log_compress: z.optional(z.boolean()),
  log_engine: z.optional(z.boolean()),
  metrics_url: z.optional(
    z
      .string()
      .check(z.regex(/^https?:\/\/[^\s]+$/, 'expected an http:// or https:// URL'), z.maxLength(2048)),
  ),
  max_memory: z.optional(size(1024 * 1024)),
  cron_restart: z.optional(nonEmpty),
  exec_mode: z.optional(z.enum(['fork', 'cluster'])),
  increment_var: z.optional(z.string().check(z.regex(ENV_NAME, 'expected an environment variable name'))),
  instance_var: z.optional(z.string().check(z.regex(ENV_NAME, 'expected an environment variable name'))),
  wait_ready: z.optional(z.boolean()),
  listen_timeout: z.optional(duration),
  shutdown_with_message: z.optional(z.boolean()),
  watch: z.optional(z.union([z.boolean(), nonEmpty, z.array(nonEmpty)])),
  watch_paths: z.optional(z.union([nonEmpty, z.array(nonEmpty)])),
  ignore_watch: z.optional(z.union([nonEmpty, z.array(nonEmpty)])),
  watch_delay: z.optional(duration),
  type: z.optional(z.enum(['service', 'job'])),
  schedule: z.optional(nonEmpty),
  interval: z.optional(positiveDuration),
  timeout: z.optional(positiveDuration),
  history: z.optional(integerUpTo(1, 100_000, 'expected a whole number, 1 to 100000')),
  watchdog: z.optional(watchdogSchema),
  liveness_probe: z.optional(probeSchema),
  readiness_probe: z.optional(probeSchema),
  depends_on: z.optional(dependsOnSchema),
});

/** An app as written in a config file, before defaults. */
export type AppConfigInput = z.input<typeof appConfigSchema>;

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
  const spec: AppSpec = {
    name: input.name ?? deriveName(input.script),
    script: input.script,
    args: input.args ?? [...APP_DEFAULTS.args],
    cwd,
    env: { ...inheritedEnv(ctx.baseEnv, input.inherit_env !== false), ...(input.env ?? {}) },
    ownEnv: { ...(input.env ?? {}) },
    interpreterArgs: input.interpreter_args ?? input.node_args ?? [...APP_DEFAULTS.interpreterArgs],
    instances,
    namespace: input.namespace ?? APP_DEFAULTS.namespace,
    autorestart: input.autorestart ?? APP_DEFAULTS.autorestart,
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
    ...(input.metrics_url === undefined ? {} : { metricsUrl: input.metrics_url }),
    execMode: input.exec_mode ?? APP_DEFAULTS.execMode,
    waitReady: input.wait_ready ?? APP_DEFAULTS.waitReady,
    listenTimeoutMs: input.listen_timeout ?? APP_DEFAULTS.listenTimeoutMs,
    ignoreWatch:
      input.ignore_watch === undefined
        ? [...APP_DEFAULTS.ignoreWatch]
        : ([] as string[]).concat(input.ignore_watch),
    watchDelayMs: input.watch_delay ?? APP_DEFAULTS.watchDelayMs,
    type: input.type ?? APP_DEFAULTS.type,
    jobHistory: input.history ?? APP_DEFAULTS.jobHistory,
    dependsOn: resolveDependsOn(input.depends_on),
  };
  if (input.inherit_env === false) spec.inheritEnv = false;
  if (input.interpreter !== undefined) spec.interpreter = input.interpreter;
  if (input.log_per_instance) spec.logPerInstance = true;
  if (input.shutdown_with_message) spec.shutdownWithMessage = true;
  const dateFormat = input.log_date_format ?? (input.time ? 'iso' : undefined);
  if (dateFormat !== undefined) spec.logDateFormat = dateFormat;
  if (input.out_file !== undefined) spec.outFile = absolute(cwd, input.out_file);
  if (input.error_file !== undefined) spec.errFile = absolute(cwd, input.error_file);
  if (input.log_file === true) spec.logFileInHome = true;
  else if (input.log_file !== undefined) spec.logFile = absolute(cwd, input.log_file);
  if (input.pid_file !== undefined) spec.pidFile = absolute(cwd, input.pid_file);
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
  checkKinds(spec);
  return spec;
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

const JOB_ONLY = [
  ['schedule', 'schedule'],
  ['intervalMs', 'interval'],
  ['jobTimeoutMs', 'timeout'],
] as const;

/** Options that only make sense for one app type; throws INVALID_CONFIG naming the app. */
function checkKinds(spec: AppSpec): void {
  const invalid = (key: string, why: string) =>
    new VelosError(ErrorCodes.INVALID_CONFIG, `app '${spec.name}': ${why}`, {
      data: { name: spec.name, key, why },
    });
  if (spec.type === 'job') {
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
      if (spec[key] !== undefined) throw invalid(option, `${option} is for type: job`);
    }
  }
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
  return Object.entries(input).map(([name, cond]) => ({ name, condition: cond }));
}

/** Default app name: the script's file name without extension, or the command's first word. */
export function deriveName(script: string): string {
  const first = script.trim().split(/\s+/)[0] ?? 'app';
  const base = first.split('/').pop() || 'app';
  // a name is letters, digits and _ . @ - (it names log files): anything else in a command becomes -
  const name =
    base
      .replace(/\.(c|m)?(js|ts)$|\.(py|sh|rb|pl)$/, '')
      .replace(/[^A-Za-z0-9_.@-]/g, '-')
      .slice(0, 96) || 'app';
  return /^\d+$/.test(name) || name === 'all' ? `app-${name}` : name;
}

/** Splits a command-line string into arguments, honouring single and double quotes. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  }
  return out;
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
