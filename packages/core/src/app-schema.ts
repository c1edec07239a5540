import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { APP_DEFAULTS, type AppSpec } from './app-spec.js';
import { parseDurationMs, parseSizeBytes } from './units.js';

// zod/mini: `velos start` loads this schema on every run, and it costs ~2 ms here against ~40 ms for zod classic.
z.config(en());

function fail(ctx: z.core.ParsePayload<unknown>, value: unknown, message: string): never {
  ctx.issues.push({ code: 'custom', message, input: value });
  return z.NEVER;
}

const duration = z.pipe(
  z.union([z.number(), z.string()]),
  z.transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms !== null) return ms;
    return fail(
      ctx,
      value,
      `expected a duration like 1500, "500ms", "5s" or "2m", got ${JSON.stringify(value)}`,
    );
  }),
);

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
      return fail(
        ctx,
        value,
        `expected a size like "200M", "1G" or a number of bytes (at least ${minBytes}), got ${JSON.stringify(value)}`,
      );
    }),
  );
}

function integer(min: number, message: string) {
  return z.int({ error: message }).check(z.gte(min, { error: message }));
}

const exitCode = z.int().check(z.gte(0), z.lte(255));
const nonEmpty = z.string().check(z.minLength(1));

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

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
  interpreter: z.optional(nonEmpty),
  interpreter_args: z.optional(stringList),
  node_args: z.optional(stringList),
  instances: z.optional(
    z.pipe(
      z.unknown(),
      z.transform((value, ctx) => {
        if (value === 'max' || value === -1) return 'max' as const;
        if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
        return fail(ctx, value, 'expected a positive integer or "max"');
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
  out_file: z.optional(nonEmpty),
  error_file: z.optional(nonEmpty),
  log_max_size: z.optional(size(1024)),
  log_rotate_cron: z.optional(nonEmpty),
  log_retain: z.optional(integer(0, 'expected a whole number, 0 or more')),
  log_compress: z.optional(z.boolean()),
  max_memory: z.optional(size(1024 * 1024)),
  cron_restart: z.optional(nonEmpty),
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
  const instances = input.instances === 'max' ? ctx.cpuCount : (input.instances ?? 1);
  const spec: AppSpec = {
    name: input.name ?? deriveName(input.script),
    script: input.script,
    args: input.args ?? [...APP_DEFAULTS.args],
    cwd,
    env: { ...ctx.baseEnv, ...(input.env ?? {}) },
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
  };
  if (input.interpreter !== undefined) spec.interpreter = input.interpreter;
  const dateFormat = input.log_date_format ?? (input.time ? 'iso' : undefined);
  if (dateFormat !== undefined) spec.logDateFormat = dateFormat;
  if (input.out_file !== undefined) spec.outFile = absolute(cwd, input.out_file);
  if (input.error_file !== undefined) spec.errFile = absolute(cwd, input.error_file);
  if (input.log_max_size !== undefined) spec.logMaxBytes = input.log_max_size;
  if (input.log_rotate_cron !== undefined) spec.logRotateCron = input.log_rotate_cron;
  if (input.max_memory !== undefined) spec.maxMemoryBytes = input.max_memory;
  if (input.cron_restart !== undefined) spec.cronRestart = input.cron_restart;
  return spec;
}

/** Default app name: the script's file name without extension, or the command's first word. */
export function deriveName(script: string): string {
  const first = script.trim().split(/\s+/)[0] ?? 'app';
  const base = first.split('/').pop() || 'app';
  const name = base.replace(/\.(c|m)?(js|ts)$|\.(py|sh|rb|pl)$/, '') || 'app';
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
