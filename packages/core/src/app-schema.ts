import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { appNameProblem } from './app-name.js';
import { appNameSchema, appNameText } from './app-name-schema.js';
import { splitArgs } from './app-resolve.js';
import { NESTED_DEFAULTS } from './app-spec.js';
import { CONFIG_PARSE } from './config-issues.js';
import { envEntryProblem } from './env-entry.js';
import { logRulesSchema } from './log-rules-schema.js';
import { probeHeaderNameProblem, probeHeaderValueProblem, probeUrlProblem } from './probe-request.js';
import { quoteValue } from './quote-value.js';
import { durationValue, failValue } from './schema-values.js';
import { parseUmask, UMASK_EXPECTED } from './umask.js';
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
  z.transform((env, ctx) => {
    const entries = Object.entries(env).map(([k, v]) => [k, String(v)] as const);
    // what no process environment can hold: the app would get another variable, or fail to spawn
    for (const [name, value] of entries) {
      const why = envEntryProblem(name, value);
      if (why !== null) ctx.issues.push({ code: 'custom', message: why, input: value, path: [name] });
    }
    return Object.fromEntries(entries);
  }),
);

function size(minBytes: number) {
  const expected = (value: unknown): string =>
    `expected a size like "200M", "1G" or a number of bytes (at least ${minBytes}), got ${quoteValue(value)}`;
  return z.pipe(
    z.union([z.number(), z.string()], { error: (issue) => expected(issue.input) }),
    z.transform((value, ctx) => {
      const bytes = parseSizeBytes(value);
      if (bytes !== null && bytes >= minBytes) return bytes;
      return failValue(ctx, value, expected(value));
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

/** Above zero: a job's interval and timeout. */
const positiveDuration = durationValue(1);

/**
 * The shortest interval and timeout of a probe: less is a number of seconds written without its unit
 * (`timeout: 2`, as Kubernetes and process-compose write it, is 2 ms) rather than a useful check.
 */
const PROBE_MIN_MS = 100;
const probeDuration = durationValue(PROBE_MIN_MS);

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

/** A user or group: its name, or its numeric id. */
function accountOf(what: 'user' | 'group') {
  const error = `expected a ${what} name or a numeric ${what === 'user' ? 'uid' : 'gid'} (0 or more)`;
  return z.union(
    [
      z.string().check(z.regex(/^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/, { error })),
      z.int({ error }).check(z.gte(0, { error }), z.lte(0xffff_fffe, { error })),
    ],
    { error },
  );
}
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
      if (
        typeof value !== 'string' &&
        (value === null || typeof value !== 'object' || Array.isArray(value))
      ) {
        return failValue(ctx, value, `expected a string or a table, got ${quoteValue(value)}`);
      }
      const result = (typeof value === 'string' ? text : table).safeParse(value, CONFIG_PARSE);
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
    // the shape is right but not the numbers: say which part is wrong rather than the forms again
    const numbers = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(text);
    if (range) {
      return failValue(
        ctx,
        value,
        `expected a range from low to high ("${range[2]}-${range[1]}"), got ${quoteValue(value)}`,
      );
    }
    if (numbers) return failValue(ctx, value, `expected statuses from 100 to 599, got ${quoteValue(value)}`);
    return failValue(ctx, value, `expected a status like 200, "200-399" or "2xx", got ${quoteValue(value)}`);
  }),
);

const port = z.int().check(z.gte(1, 'expected a port, 1-65535'), z.lte(65535, 'expected a port, 1-65535'));

const httpUrl = z.string().check(
  z.superRefine((text, ctx) => {
    const why = probeUrlProblem(text);
    if (why !== null) ctx.issues.push({ code: 'custom', message: why, input: text });
  }),
);
const httpHeaders = z.record(z.string(), z.string()).check(
  z.superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      const badName = probeHeaderNameProblem(name);
      if (badName !== null) ctx.issues.push({ code: 'custom', message: badName, input: headers });
      const badValue = probeHeaderValueProblem(value);
      if (badValue !== null)
        ctx.issues.push({ code: 'custom', message: badValue, input: value, path: [name] });
    }
  }),
);
const httpCheck = stringOr(
  httpUrl,
  z.strictObject({
    url: httpUrl,
    status: z.optional(statusRange),
    headers: z.optional(httpHeaders),
  }),
);

const HOST_PORT = /^(.+:)?\d{1,5}$/;
const tcpCheck = z.union([
  port,
  z.string().check(
    z.regex(HOST_PORT, 'expected "host:port" or a port'),
    // one issue per text: a text without a port is told so above, not twice
    z.refine((text) => {
      const port = Number(/\d+$/.exec(text)?.[0]);
      return !HOST_PORT.test(text) || (port >= 1 && port <= 65535);
    }, 'expected a port, 1-65535'),
  ),
  z.strictObject({ host: z.optional(nonEmpty), port }),
]);

export const probeSchema = z
  .strictObject({
    http: z.optional(httpCheck),
    tcp: z.optional(tcpCheck),
    exec: z.optional(nonEmpty),
    interval: z.optional(probeDuration),
    timeout: z.optional(probeDuration),
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

/**
 * A `depends_on` condition; process-compose's names (`process_healthy`…) and Docker Compose's
 * (`service_healthy`…) are taken for Velos's own.
 */
const condition = z.pipe(
  z.string(),
  z.transform((value, ctx) => {
    const name = value.replace(/^(process|service)_/, '');
    const known = CONDITIONS.find((c) => c === name);
    if (known !== undefined) return known;
    return failValue(
      ctx,
      value,
      `expected one of "started", "healthy", "completed_successfully", got ${quoteValue(value)}`,
    );
  }),
);

const dependencyName = appNameText();

/** Why `name` cannot name an app a `depends_on` waits for (no app could be called so); null when it can. */
function dependencyNameProblem(name: string): string | null {
  const problem = appNameProblem(name);
  if (problem === null) return null;
  const glued = /^(.+?)\s*[:=]\s*([\w-]+)$/.exec(name);
  if (glued && appNameProblem(glued[1]!) === null) {
    return `expected an app name, got ${quoteValue(name)}: a condition is given in a config file, depends_on: { ${glued[1]}: ${glued[2]} } (--depends-on takes names, condition started)`;
  }
  return `expected an app name, got ${quoteValue(name)}: ${problem}`;
}

export const dependsOnSchema = z
  .union([
    dependencyName,
    z.array(
      z.union([dependencyName, z.strictObject({ name: dependencyName, condition: z.optional(condition) })]),
    ),
    // `{db: healthy}`, or process-compose's `{db: {condition: process_healthy}}`
    z.record(dependencyName, stringOr(condition, z.strictObject({ condition }))),
  ])
  .check(
    // each name, once the form is read: no app can have one that fails (`db:healthy`, a condition glued on)
    z.superRefine((value, ctx) => {
      for (const [path, name] of dependencyNames(value)) {
        const problem = dependencyNameProblem(name);
        if (problem !== null) ctx.issues.push({ code: 'custom', message: problem, input: name, path });
      }
    }),
  );

/** The names of a `depends_on` as written, each with its path in it (`[]`, `[1]`, `[1, 'name']`, `['db']`). */
function dependencyNames(value: unknown): [PropertyKey[], string][] {
  if (typeof value === 'string') return [[[], value]];
  if (Array.isArray(value)) {
    return value.map((item, i): [PropertyKey[], string] =>
      typeof item === 'string' ? [[i], item] : [[i, 'name'], (item as { name: string }).name],
    );
  }
  return Object.keys(value as object).map((name): [PropertyKey[], string] => [[name], name]);
}

/**
 * Schema of one app as written in a config file (snake_case, PM2-compatible names). Unknown keys
 * are rejected so that a typo never silently does nothing.
 */
export const appConfigSchema = z.strictObject({
  name: z.optional(appNameSchema),
  script: z.string().check(z.minLength(1, 'expected a script, binary or command line')),
  args: z.optional(stringList),
  cwd: z.optional(z.string()),
  env: z.optional(envValues),
  env_file: z.optional(
    z.union([nonEmpty, z.array(nonEmpty)], { error: 'expected a file path or a list of file paths' }),
  ),
  inherit_env: z.optional(z.boolean()),
  autostart: z.optional(z.boolean()),
  filter_env: z.optional(
    z.union([z.boolean(), nonEmpty, z.array(nonEmpty)], {
      error: 'expected true (as inherit_env = false) or prefixes of variable names, e.g. ["AWS_", "SECRET"]',
    }),
  ),
  uid: z.optional(accountOf('user')),
  gid: z.optional(accountOf('group')),
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
  // `all` as a target means every process: a namespace of that name could never be named alone
  namespace: z.optional(
    nonEmpty.check(
      z.refine(
        (name) => name !== 'all',
        'expected a namespace other than "all" (a target "all" means every process)',
      ),
    ),
  ),
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
  umask: z.optional(
    z
      .union([z.string(), z.number()], { error: UMASK_EXPECTED })
      .check(z.refine((value) => parseUmask(value) !== null, { error: UMASK_EXPECTED })),
  ),
  log_max_size: z.optional(size(1024)),
  log_rotate_cron: z.optional(nonEmpty),
  log_retain: z.optional(integerUpTo(0, 1000, 'expected a whole number, 0 to 1000')),
  log_compress: z.optional(z.boolean()),
  log_engine: z.optional(z.boolean()),
  log_rules: z.optional(logRulesSchema),
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

export {
  deriveName,
  type ResolveContext,
  resolveAppSpec,
  splitArgs,
} from './app-resolve.js';
