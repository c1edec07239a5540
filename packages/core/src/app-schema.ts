import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { APP_DEFAULTS, type AppSpec } from './app-spec.js';
import { parseDurationMs } from './units.js';

const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === null) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like 1500, "500ms", "5s" or "2m", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ms;
});

const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : splitArgs(value)));

const envValues = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .transform((env) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));

function integer(min: number, message: string) {
  return z.number({ error: message }).int({ error: message }).min(min, { error: message });
}

const exitCode = z.number().int().min(0).max(255);

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

/**
 * Schema of one app as written in a config file (snake_case, PM2-compatible names). Unknown keys
 * are rejected so that a typo never silently does nothing.
 */
export const appConfigSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.@-][A-Za-z0-9_.@ -]{0,99}$/, 'expected 1-100 letters, digits, spaces or _ . @ -')
    .refine((n) => n !== 'all' && !/^\d+$/.test(n), 'must not be "all" or a number (they are targets)')
    .optional(),
  script: z.string().min(1, 'expected a script, binary or command line'),
  args: stringList.optional(),
  cwd: z.string().optional(),
  env: envValues.optional(),
  interpreter: z.string().min(1).optional(),
  interpreter_args: stringList.optional(),
  node_args: stringList.optional(),
  instances: z
    .unknown()
    .transform((value, ctx) => {
      if (value === 'max' || value === -1) return 'max' as const;
      if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
      ctx.addIssue({ code: 'custom', message: 'expected a positive integer or "max"' });
      return z.NEVER;
    })
    .optional(),
  namespace: z.string().min(1).optional(),
  autorestart: z.boolean().optional(),
  max_restarts: integer(0, 'expected a whole number, 0 or more').optional(),
  min_uptime: duration.optional(),
  restart_delay: duration.optional(),
  exp_backoff_restart_delay: duration.optional(),
  max_backoff_delay: duration.optional(),
  stop_exit_codes: z
    .union([exitCode, z.array(exitCode)], { error: 'expected an exit code or a list of exit codes (0-255)' })
    .optional(),
  kill_timeout: duration.optional(),
  kill_signal: z.enum(SIGNALS).optional(),
  log_format: z.enum(['plain', 'json']).optional(),
  log_date_format: z.string().min(1).optional(),
  time: z.boolean().optional(),
  merge_logs: z.boolean().optional(),
  out_file: z.string().min(1).optional(),
  error_file: z.string().min(1).optional(),
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
  };
  if (input.interpreter !== undefined) spec.interpreter = input.interpreter;
  const dateFormat = input.log_date_format ?? (input.time ? 'iso' : undefined);
  if (dateFormat !== undefined) spec.logDateFormat = dateFormat;
  if (input.out_file !== undefined) spec.outFile = absolute(cwd, input.out_file);
  if (input.error_file !== undefined) spec.errFile = absolute(cwd, input.error_file);
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
