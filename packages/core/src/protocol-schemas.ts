import { z } from 'zod';
import type { AppSpec } from './app-spec.js';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

/** Wire schema of an `AppSpec` (camelCase, resolved); the daemon validates `start` payloads with it. */
export const appSpecSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.@-][A-Za-z0-9_.@ -]*$/, 'expected letters, digits, spaces or _ . @ -')
    .refine((n) => n !== 'all' && !/^\d+$/.test(n), 'must not be "all" or a number'),
  script: z.string().min(1),
  args: z.array(z.string()),
  cwd: z.string().startsWith('/', 'expected an absolute path'),
  env: z.record(z.string(), z.string()),
  interpreter: z.string().min(1).optional(),
  interpreterArgs: z.array(z.string()),
  instances: z.number().int().min(1).max(1024),
  namespace: z.string().min(1),
  autorestart: z.boolean(),
  maxRestarts: z.number().int().min(0),
  minUptimeMs: z.number().min(0),
  restartDelayMs: z.number().min(0),
  expBackoffRestartDelayMs: z.number().min(0),
  maxBackoffDelayMs: z.number().min(0),
  stopExitCodes: z.array(z.number().int()),
  killTimeoutMs: z.number().min(0),
  stopSignal: z.enum(SIGNALS),
  logFormat: z.enum(['plain', 'json']),
  logDateFormat: z.string().min(1).optional(),
  mergeLogs: z.boolean(),
  outFile: z.string().startsWith('/').optional(),
  errFile: z.string().startsWith('/').optional(),
}) satisfies z.ZodType<AppSpec>;

const target = z.string().min(1).max(200);
const logsRequest = z.object({
  target: target.optional(),
  lines: z.number().int().min(0).max(1_000_000).optional(),
  stream: z.enum(['out', 'err', 'all']).optional(),
});
const empty = z.object({}).optional();

/** Request payload schemas of every daemon command, by name. */
export const requestSchemas = {
  ping: empty,
  start: z.object({ apps: z.array(appSpecSchema).min(1).max(1000) }),
  stop: z.object({ target }),
  restart: z.object({ target, env: z.record(z.string(), z.string()).optional() }),
  delete: z.object({ target }),
  list: empty,
  describe: z.object({ target }),
  logs: logsRequest,
  'logs.follow': logsRequest,
  flush: z.object({ target: target.optional() }),
  save: empty,
  resurrect: empty,
  kill: empty,
} as const;
