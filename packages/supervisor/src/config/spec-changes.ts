import { availableParallelism } from 'node:os';
import { type AppSpec, ErrorCodes, formatPayloadPath, inheritedPartOf, VelosError } from '@velos/core';

/** The lazily loaded `@velos/core/config` (zod/mini schemas, TOML/YAML parsers): never at daemon start. */
export type ConfigModule = typeof import('@velos/core/config');

let configModule: Promise<ConfigModule> | null = null;

/** Loads the config parsers and schemas on their first use. */
export function loadConfigModule(): Promise<ConfigModule> {
  configModule ??= import('@velos/core/config');
  return configModule;
}

/** A job's two triggers, each with the one it replaces. */
const JOB_TRIGGERS = [
  ['schedule', 'interval'],
  ['interval', 'schedule'],
] as const;

/** The keys an app cannot be without: `velos config unset` of one is refused. */
const REQUIRED_KEYS = new Set(['name', 'script']);

/**
 * CFG-2 `config set`: `changes` (config keys as a file writes them; `env.KEY` and `probe.key` reach
 * inside a table) over the app's spec, validated with the config schema; resolves the new spec. A key
 * set to `null` (`velos config unset`), and PM2's `cron_restart: 0`, is unset: its default applies.
 */
export async function applySpecChanges(spec: AppSpec, changes: Record<string, unknown>): Promise<AppSpec> {
  const config = await loadConfigModule();
  for (const [key, value] of Object.entries(changes)) {
    if (REQUIRED_KEYS.has(key) && isUnset(key, value)) {
      throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${spec.name}: ${key}: required, cannot be unset`, {
        data: { field: formatPayloadPath(['changes', key]) },
      });
    }
  }
  if ('name' in changes && changes.name !== spec.name) {
    throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${spec.name}: name: cannot be changed by config set`);
  }
  const entry = config.specToConfig(spec);
  for (const [key, value] of Object.entries(changes)) {
    const keys = key.split('.');
    if (keys.includes('')) {
      const expected = 'expected a config key (max_memory) or dotted keys (env.KEY, liveness_probe.timeout)';
      throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${spec.name}: ${JSON.stringify(key)}: ${expected}`, {
        data: { field: formatPayloadPath(['changes', key]) },
      });
    }
    // an unknown key is left for the schema to refuse, naming the option it may have meant
    if (isUnset(key, value) && keys[0]! in config.appConfigSchema.def.shape) unsetPath(entry, keys);
    else setPath(entry, keys, value);
  }
  // SUP-8: a job has one trigger: `schedule=…` on an interval job replaces its interval, and back
  for (const [key, other] of JOB_TRIGGERS) {
    if (key in changes && !isUnset(key, changes[key]) && !(other in changes)) delete entry[other];
  }
  // croner loads only for an app with a cron expression: a bad one is refused with the other problems
  const checkCron = config.entryCronPlaces([entry]).length > 0 ? await config.loadCronCheck() : undefined;
  let next: AppSpec;
  try {
    [next] = config.validateConfig({ apps: [entry] }, spec.name, {
      baseDir: spec.cwd,
      baseEnv: inheritedPartOf(spec),
      cpuCount: availableParallelism(),
      ...(checkCron === undefined ? {} : { checkCron }),
    }) as [AppSpec];
  } catch (error) {
    if (!(error instanceof VelosError)) throw error;
    const message = error.message.replace(/apps\[0\](?: \([^)]*\))?(\.|: )/, '');
    throw new VelosError(error.code, message, { data: withChangesField(error.data) });
  }
  if (spec.source) next.source = spec.source;
  return next;
}

/**
 * The data of a config error about the one app validated, with `field` naming the key as the request
 * gave it (`changes.max_restarts`, not the config file's `apps[0].max_restarts`), for REST and MCP.
 */
function withChangesField(data: unknown): unknown {
  const keyPath = (data as { keyPath?: unknown } | undefined)?.keyPath;
  if (!Array.isArray(keyPath) || keyPath[0] !== 'apps' || keyPath[1] !== 0 || keyPath.length < 3) return data;
  return { ...(data as object), field: formatPayloadPath(['changes', ...keyPath.slice(2)]) };
}

/** A change that unsets its key: `null`, or PM2's `cron_restart` of 0 or "0" (no cron restart). */
function isUnset(key: string, value: unknown): boolean {
  if (value === null) return true;
  return key === 'cron_restart' && (value === 0 || (typeof value === 'string' && value.trim() === '0'));
}

function unsetPath(target: Record<string, unknown>, keys: string[]): void {
  const [first, ...rest] = keys as [string, ...string[]];
  if (rest.length === 0) {
    delete target[first];
    return;
  }
  const inner = target[first];
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return;
  const table = { ...(inner as Record<string, unknown>) };
  unsetPath(table, rest);
  target[first] = table;
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  const [first, ...rest] = keys as [string, ...string[]];
  if (rest.length === 0) {
    target[first] = value;
    return;
  }
  const inner = target[first];
  const table =
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? { ...(inner as Record<string, unknown>) }
      : {};
  setPath(table, rest, value);
  target[first] = table;
}
