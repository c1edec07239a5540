import { resolve } from 'node:path';
import {
  type AppSpec,
  CONFIG_SET_APPLIED_WORDS,
  type ConfigFileReload,
  type ConfigSetApplied,
  ErrorCodes,
  isVelosError,
  maskSecrets,
  VelosError,
} from '@velos/core';
import { type CommandContext, printWarnings } from '../context.js';
import { USAGE_EXIT_CODE } from '../parse-argv.js';
import { watchPathWarnings } from './watch-path-warnings.js';

/** A job's period and run timeout: a bare number is refused, as by `--every` and `--timeout`. */
const UNIT_REQUIRED = new Set(['interval', 'timeout']);

const USAGE =
  'expected config validate [file], config reload [file], config show <app>, config set <app> key=value… or config unset <app> key…';

/**
 * `velos config validate|reload|show|set|unset` (CFG-2); env values that look secret print as `****` unless
 * `showSecrets`; `profile` (--env) is the env profile `validate` merges.
 */
export async function runConfig(
  ctx: CommandContext,
  args: string[],
  showSecrets = false,
  profile?: string,
): Promise<void> {
  const [sub, ...rest] = args;
  const present = (spec: AppSpec): AppSpec => (showSecrets ? spec : maskSecrets(spec));
  if (sub === 'validate' && rest.length <= 1)
    return (await import('./config-validate.js')).runConfigValidate(ctx, rest[0], profile);
  if (sub === 'reload' && rest.length <= 1) return runReload(ctx, rest[0]);
  if (sub === 'show' && rest.length === 1) return runShow(ctx, rest[0]!, present);
  if (sub === 'set' && rest.length >= 2) return runSet(ctx, rest[0]!, rest.slice(1), present);
  if (sub === 'unset' && rest.length >= 2) return runUnset(ctx, rest[0]!, rest.slice(1), present);
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `config: ${USAGE}`, { data: { exitCode: 2 } });
}

/** `velos config reload [file]`: prints what changed per file; exits 1 when a file was rejected or rolled back, or config.toml asks for what could not be applied. */
async function runReload(ctx: CommandContext, file: string | undefined): Promise<void> {
  const client = await ctx.client();
  const result = await client.configReload(file === undefined ? undefined : resolve(file));
  if (ctx.mode !== 'text') ctx.printJson(result);
  else if (file === undefined && isNothingToReload(result.files))
    ctx.print(
      `nothing to reload: there is no ${result.files[0]!.file} and no app is linked to a config file (velos start <file> links its apps)`,
    );
  else ctx.print(result.files.map(describeReload).join('\n'));
  const failed = result.files.find((entry) => entry.error !== undefined);
  if (failed?.error) {
    throw new VelosError(ErrorCodes.INVALID_CONFIG, failed.error.message, { data: { file: failed.file } });
  }
  const notInEffect = result.files.find((entry) => entry.failed?.length);
  if (notInEffect?.failed) {
    throw new VelosError(ErrorCodes.IO_ERROR, `${notInEffect.file}: ${notInEffect.failed.join('; ')}`, {
      data: { file: notInEffect.file },
    });
  }
  const rolledBack = result.files.find((entry) => entry.rolledBack.length > 0);
  if (rolledBack) {
    throw new VelosError(
      ErrorCodes.CONFIG_ROLLED_BACK,
      `${rolledBack.file}: rolled back ${rolledBack.rolledBack.join(', ')}: ${rolledBack.reason ?? 'it did not come up'}`,
    );
  }
}

/** A reload of everything that found no config.toml and no linked file. */
function isNothingToReload(files: readonly ConfigFileReload[]): boolean {
  return files.length === 1 && files[0]!.isMissing === true && files[0]!.wasRemoved !== true;
}

function describeReload(entry: ConfigFileReload): string {
  // config.toml: what applying it did, or failed to do, one indented line each
  const applied = (entry.applied ?? []).map((line) => `\n  ${line}`).join('');
  // a table this version does not read ([otel]) was only noted in daemon.log: the reload said "changed"
  const warnings = (entry.warnings ?? []).map((line) => `\n  warning: ${line}`).join('');
  return `${describeFile(entry)}${applied}${warnings}`;
}

function describeFile(entry: ConfigFileReload): string {
  if (entry.error) return `${entry.file}: rejected, nothing changed`;
  if (entry.wasRemoved) return `${entry.file}: removed, built-in settings apply again`;
  if (entry.isMissing) return `${entry.file}: none, built-in settings apply`;
  if (entry.settings?.length) return `${entry.file}: changed [${entry.settings.join('], [')}]`;
  const parts = [
    ['added', entry.added],
    ['removed', entry.removed],
    ['changed', entry.changed],
    ['updated in place', entry.updated ?? []],
    ['scaled', entry.scaled ?? []],
    ['rolled back', entry.rolledBack],
  ] as const;
  const said = parts
    .filter(([, names]) => names.length > 0)
    .map(([what, names]) => `${what} ${names.join(', ')}`);
  const unchanged = entry.unchanged.length > 0 ? `; ${entry.unchanged.length} unchanged` : '';
  const leftOut = entry.leftOut?.length ? `; left out (not in --only): ${entry.leftOut.join(', ')}` : '';
  return `${entry.file}: ${said.length === 0 ? 'no change' : said.join('; ')}${unchanged}${leftOut}`;
}

/** `velos config show <app>`: the effective config as TOML (`--json`: the resolved spec, env names only). */
async function runShow(
  ctx: CommandContext,
  target: string,
  present: (spec: AppSpec) => AppSpec,
): Promise<void> {
  const client = await ctx.client();
  const spec = present(await client.configGet(target));
  if (ctx.mode === 'ai') {
    // CLI-3: the config keys that differ from the defaults, as a config file would write them
    const { specToCompactConfig } = await import('@velos/core/config');
    const source = spec.source;
    ctx.printJson({
      ...specToCompactConfig(spec),
      // a run-time scale is told even when the count is the default one
      ...(source?.fileInstances === undefined ? {} : { instances: spec.instances }),
      ...(source ? { src: source.file } : {}),
      ...(source?.fileInstances === undefined ? {} : { file_instances: source.fileInstances }),
      ...(source?.only ? { only: source.only } : {}),
    });
    return;
  }
  if (ctx.mode !== 'text') {
    const { env, ownEnv: _own, ...rest } = spec;
    ctx.printJson({ ...rest, envKeys: Object.keys(env) });
    return;
  }
  ctx.print(await toToml(spec));
}

/** `velos config set <app> key=value…`: values read as TOML values; prints the new effective config. */
async function runSet(
  ctx: CommandContext,
  target: string,
  pairs: string[],
  present: (spec: AppSpec) => AppSpec,
): Promise<void> {
  const { parseConfigValue } = await import('@velos/core/config');
  const changes: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `config set: expected key=value, got ${JSON.stringify(pair)}`,
        {
          data: { exitCode: USAGE_EXIT_CODE },
        },
      );
    }
    const key = pair.slice(0, eq).trim();
    const value = await parseConfigValue(pair.slice(eq + 1), key);
    // as with --every/--timeout: a job's `interval=30` would run it every 30 ms (a file's bare number)
    if (UNIT_REQUIRED.has(key) && typeof value === 'number') {
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `config set: ${key}: expected a duration with its unit like "30s", "30m" or "1h" (a bare number is ambiguous; "${value}ms" for milliseconds), got ${value}`,
        { data: { exitCode: USAGE_EXIT_CODE } },
      );
    }
    changes[key] = value;
  }
  return applyChanges(ctx, target, changes, present);
}

/** `velos config unset <app> key…`: each key back to its default (its table's entry removed: env.KEY). */
async function runUnset(
  ctx: CommandContext,
  target: string,
  keys: string[],
  present: (spec: AppSpec) => AppSpec,
): Promise<void> {
  const changes: Record<string, unknown> = {};
  for (const key of keys) {
    if (key.includes('=')) {
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `config unset: expected a key without a value (cron_restart, env.KEY), got ${JSON.stringify(key)}`,
        { data: { exitCode: USAGE_EXIT_CODE } },
      );
    }
    // null over the wire: the daemon unsets the key
    changes[key.trim()] = null;
  }
  return applyChanges(ctx, target, changes, present);
}

/** Sends `changes` to the daemon (null unsets a key) and prints the app's new effective config. */
async function applyChanges(
  ctx: CommandContext,
  target: string,
  changes: Record<string, unknown>,
  present: (spec: AppSpec) => AppSpec,
): Promise<void> {
  const client = await ctx.client();
  const result = await client
    .configSetResult(target, changes)
    .catch((error: unknown) => asValueError(withUnsetHint(error, target, changes)));
  const spec = present(result.spec);
  // a mistyped path is watched for (or not at all), as `velos start --watch` warns
  if ('watch' in changes) printWarnings(watchPathWarnings([spec]));
  // a daemon from before configSetResult does not say how it applied the change
  const applied = result.applied === undefined ? undefined : CONFIG_SET_APPLIED_WORDS[result.applied];
  if (ctx.mode === 'ai') {
    // CLI-3: config_set's answer: the keys set, how the app took them, its config keys off the defaults
    const { specToCompactConfig } = await import('@velos/core/config');
    const unset = Object.keys(changes).filter((key) => changes[key] === null);
    const set = Object.keys(changes).filter((key) => changes[key] !== null);
    ctx.printJson({
      ...(set.length > 0 || unset.length === 0 ? { set } : {}),
      ...(unset.length > 0 ? { unset } : {}),
      ...(applied === undefined ? {} : { applied }),
      cfg: specToCompactConfig(spec),
    });
    return;
  }
  if (ctx.mode !== 'text') {
    const { env, ownEnv: _own, ...rest } = spec;
    ctx.printJson({ ...rest, envKeys: Object.keys(env) });
    return;
  }
  if (result.applied !== undefined) ctx.print(`# ${APPLIED_NOTES[result.applied]}`);
  ctx.print(await toToml(spec));
}

/** The first line of `velos config set`'s text: whether the app was restarted for the change. */
const APPLIED_NOTES: Record<ConfigSetApplied, string> = {
  restarted: 'applied: the app was restarted with it',
  updated: 'applied in place: no restart, the running processes follow it',
  scaled: 'applied: instances added or removed, the others kept running',
  stored: 'stored: the app does not run, its next start takes it',
};

/**
 * A refused empty value (`cron_restart=""`) names `velos config unset`, the way to remove a key.
 */
function withUnsetHint(error: unknown, target: string, changes: Record<string, unknown>): unknown {
  if (!isVelosError(error)) return error;
  const key = Object.keys(changes).find(
    (name) => changes[name] === '' && error.message.includes(`${name}: `),
  );
  if (key === undefined) return error;
  return new VelosError(error.code, `${error.message} (velos config unset ${target} ${key} removes it)`, {
    data: error.data,
    cause: error,
  });
}

/**
 * Rethrows the daemon's refusal of the values given (INVALID_CONFIG: the config schema the daemon
 * validates them with, `depends_on`; INVALID_ARGUMENT: a key it cannot change) with exit code 2, as
 * any bad option value on the command line; its one-line message is kept. A target problem (no such
 * app; several apps, INVALID_ARGUMENT with `data.target`, exit 1 as for scale) and a failed restart
 * keep exit 1.
 */
function asValueError(error: unknown): never {
  if (!isVelosError(error)) throw error;
  const data = error.data as Record<string, unknown> | undefined;
  const isValue =
    error.code === ErrorCodes.INVALID_CONFIG ||
    (error.code === ErrorCodes.INVALID_ARGUMENT && data?.target === undefined);
  if (!isValue) throw error;
  throw new VelosError(error.code, error.message, {
    data: { ...data, exitCode: USAGE_EXIT_CODE },
    cause: error,
  });
}

/** PM2's `cron_restart=0` (no cron restart), which the daemon takes as unsetting the key. */
function isCronOff(key: string, value: unknown): boolean {
  return key === 'cron_restart' && (value === 0 || value === '0');
}

async function toToml(spec: AppSpec): Promise<string> {
  const { formatConfigToml, specToConfig } = await import('@velos/core/config');
  const header: string[] = [];
  if (spec.source) {
    const { file, isWatched, overrides, only, fileInstances } = spec.source;
    header.push(`# from ${file}${isWatched ? ' (watched)' : ''}`);
    if (only) header.push(`# --only ${only.join(',')}: reloads of the file take these apps only`);
    const keys = Object.keys(overrides ?? {});
    // a key set to null was unset (velos config unset): the file's value of it is not taken
    const unset = keys.filter((key) => overrides?.[key] === null || isCronOff(key, overrides?.[key]));
    const set = keys.filter((key) => !unset.includes(key));
    if (set.length > 0) header.push(`# set at run time over the file: ${set.join(', ')}`);
    if (unset.length > 0) header.push(`# unset at run time over the file: ${unset.join(', ')}`);
    if (fileInstances !== undefined) {
      header.push(
        `# instances = ${spec.instances} set at run time by velos scale (the file gives ${fileInstances})`,
      );
    }
  }
  const text = await formatConfigToml({ apps: [specToConfig(spec)] });
  return [...header, text.trimEnd()].join('\n');
}
