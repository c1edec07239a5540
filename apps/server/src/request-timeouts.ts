import { ErrorCodes, PROTOCOL_COMMANDS, VelosError } from '@velos/core';

/** How long the API waits for the daemon's answer to a read (`list`, `describe`, `logs`…) by default. */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;
/**
 * How long it waits for a command that acts (start, stop, restart, reload, delete, config.set…): their
 * work is bounded by the apps' kill_timeout and listen_timeout, applied to many apps at once.
 */
export const DEFAULT_ACTION_TIMEOUT_MS = 300_000;
/** Environment variables that set the two bounds, in ms. */
export const READ_TIMEOUT_VARIABLE = 'VELOS_API_READ_TIMEOUT_MS';
export const ACTION_TIMEOUT_VARIABLE = 'VELOS_API_ACTION_TIMEOUT_MS';

/**
 * The bound of each daemon command the API sends over the socket (a stuck daemon answers 504 `TIMEOUT`
 * after it): reads get `VELOS_API_READ_TIMEOUT_MS` (10 s), the rest `VELOS_API_ACTION_TIMEOUT_MS`
 * (5 min); a value that is not a positive integer is refused.
 * @example createClient({ home, timeoutMs: apiRequestTimeout(process.env) })
 */
export function apiRequestTimeout(env: NodeJS.ProcessEnv): (cmd: string) => number {
  const readMs = timeoutFromEnv(env, READ_TIMEOUT_VARIABLE, DEFAULT_READ_TIMEOUT_MS);
  const actionMs = timeoutFromEnv(env, ACTION_TIMEOUT_VARIABLE, DEFAULT_ACTION_TIMEOUT_MS);
  const commands: Record<string, { isReadOnly: boolean } | undefined> = PROTOCOL_COMMANDS;
  return (cmd) => (Object.hasOwn(commands, cmd) && commands[cmd]?.isReadOnly ? readMs : actionMs);
}

function timeoutFromEnv(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `${name}: expected a positive number of milliseconds, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
