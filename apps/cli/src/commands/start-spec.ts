import { basename, resolve } from 'node:path';
import { type AppSpec, ErrorCodes, namesScriptFile, VelosError } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { argumentError, flagAsTyped } from '../parse-argv.js';
import {
  isEcosystemScript,
  isScriptConfig,
  loadEcosystemScript,
  onlyApps,
  onlyNames,
} from '../pm2/ecosystem-file.js';
import { applyPm2FileFlags } from '../pm2/file-flags.js';
import { isRegexTarget } from '../pm2/regex-targets.js';
import { statOf } from '../safe-stat.js';
import { checkCommandLines } from './command-line-program.js';
import { type OnlyDependency, onlyDependencies } from './only-dependencies.js';
import { findOnPath } from './path-lookup.js';
import { nearbyFile } from './script-file.js';

export { findOnPath };

/** The lazily imported `@velos/core/config` module (zod, yaml, toml: never on the `velos list` path). */
export type ConfigModule = typeof import('@velos/core/config');

/** Where `velos start` runs: the shell's cwd and environment, and the CPU count for `-i max`. */
export interface StartEnvironment {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cpuCount: number;
  /** CFG-2: `[defaults]` of `$VELOS_HOME/config.toml`, under the app's own options. */
  defaults?: Record<string, unknown>;
  /** Told each warning of a PM2 process file (unknown or ignored options); the start goes on. */
  warn?: (message: string) => void;
  /**
   * The file is read for its apps' names alone (`velos stop|delete <file>`): its warnings about
   * options, which concern starting the apps, are not told; an `--only` name it lacks still is.
   */
  isForNames?: boolean;
}

/** What the argument of `velos start` names. */
export type StartTarget =
  | { kind: 'config'; path: string }
  | { kind: 'script'; script: string }
  | { kind: 'word'; word: string };

/** `velos start` flags that describe an app (as opposed to output flags), by config key. */
export const APP_FLAGS: Record<string, string> = {
  name: 'name',
  instances: 'instances',
  'restart-delay': 'restart_delay',
  'max-restarts': 'max_restarts',
  'min-uptime': 'min_uptime',
  'exp-backoff-restart-delay': 'exp_backoff_restart_delay',
  'kill-timeout': 'kill_timeout',
  'kill-signal': 'kill_signal',
  'stop-exit-codes': 'stop_exit_codes',
  'no-autorestart': 'autorestart',
  'no-inherit-env': 'inherit_env',
  'no-autostart': 'autostart',
  'filter-env': 'filter_env',
  'env-file': 'env_file',
  cwd: 'cwd',
  uid: 'uid',
  gid: 'gid',
  umask: 'umask',
  interpreter: 'interpreter',
  'interpreter-args': 'interpreter_args',
  namespace: 'namespace',
  'log-format': 'log_format',
  time: 'time',
  'log-date-format': 'log_date_format',
  'merge-logs': 'log_per_instance',
  'merge-streams': 'merge_logs',
  output: 'out_file',
  error: 'error_file',
  'log-max-size': 'log_max_size',
  'log-rotate-cron': 'log_rotate_cron',
  'log-retain': 'log_retain',
  'no-log-compress': 'log_compress',
  'no-log-engine': 'log_engine',
  'max-memory': 'max_memory',
  'cron-restart': 'cron_restart',
  'exec-mode': 'exec_mode',
  'increment-var': 'increment_var',
  'instance-var': 'instance_var',
  'wait-ready': 'wait_ready',
  'listen-timeout': 'listen_timeout',
  'shutdown-with-message': 'shutdown_with_message',
  type: 'type',
  schedule: 'schedule',
  every: 'interval',
  timeout: 'timeout',
  history: 'history',
  'depends-on': 'depends_on',
  'liveness-http': 'liveness_probe',
  'readiness-http': 'readiness_probe',
  watch: 'watch',
  'ignore-watch': 'ignore_watch',
  'watch-delay': 'watch_delay',
  // PM2's names of the same options
  'max-memory-restart': 'max_memory',
  user: 'uid',
  cron: 'cron_restart',
  'node-args': 'interpreter_args',
  'execute-command': 'exec_mode',
  log: 'log_file',
  pid: 'pid_file',
  'disable-logs': 'out_file',
};

// Flags whose text goes to the schema as is (it parses durations and splits argument strings); of two
// flags of one key the later one wins: PM2's --interpreter-args over its --node-args.
const PASS_THROUGH_FLAGS = [
  'node-args',
  'name',
  'restart-delay',
  'min-uptime',
  'exp-backoff-restart-delay',
  'kill-timeout',
  'kill-signal',
  'cwd',
  'uid',
  'gid',
  'umask',
  'interpreter',
  'interpreter-args',
  'namespace',
  'log-format',
  'log-date-format',
  'log-max-size',
  'log-rotate-cron',
  'max-memory',
  'cron-restart',
  'exec-mode',
  'increment-var',
  'instance-var',
  'listen-timeout',
  'watch-delay',
  'max-memory-restart',
  'user',
  'cron',
  'type',
  'schedule',
  'every',
  'timeout',
];

const BARE_NUMBER = /^\d+(\.\d+)?$/;

/** True when any flag that describes an app (or `-- args`) was given. */
export function hasAppOptions(input: CommandInput): boolean {
  return input.rest.length > 0 || Object.keys(APP_FLAGS).some((flag) => input.options[flag] !== undefined);
}

/**
 * Decides what the argument of `velos start` is: a config file (by extension), an existing script,
 * a shell command line, or a bare word (a process name or id, or a program on PATH).
 * A missing file that looks like a path is an error.
 */
export function resolveStartTarget(
  arg: string,
  input: CommandInput,
  where: StartEnvironment,
  config: ConfigModule,
): StartTarget {
  // an empty word would resolve to the working directory ("script is a directory: ")
  if (arg.trim() === '')
    throw argumentError('the script is empty: give a script, a "command line" or a config file');
  if (config.isConfigFile(arg) || isEcosystemScript(arg))
    return { kind: 'config', path: resolve(where.cwd, arg) };
  const cwdOption = input.options.cwd;
  // a script looked for in a --cwd that is not there would be `script not found`, blaming the script
  if (typeof cwdOption === 'string' && !statOf(resolve(where.cwd, cwdOption))?.isDirectory())
    throw invalid(`${flagAsTyped(input, 'cwd')}: not a directory: ${cwdOption}`);
  const candidates = [resolve(where.cwd, arg)];
  if (typeof cwdOption === 'string') candidates.push(resolve(where.cwd, cwdOption, arg));
  for (const candidate of candidates) {
    const stats = statOf(candidate);
    if (stats?.isDirectory()) throw invalid(`script is a directory: ${arg}`);
    if (stats) return { kind: 'script', script: candidate };
  }
  if (isRegexTarget(arg)) return { kind: 'word', word: arg };
  if (/\s/.test(arg.trim())) return { kind: 'script', script: arg.trim() };
  if (namesScriptFile(arg)) {
    const near = nearbyFile(arg, where.cwd);
    throw invalid(`script not found: ${arg}${near === null ? '' : ` (did you mean ${near}?)`}`);
  }
  return { kind: 'word', word: arg };
}

/**
 * Loads a config file into specs; app flags are refused, since the file is where apps are described.
 * Given `added`, `--only` takes the apps of the file its apps depend on too, each told there.
 */
export async function specsFromConfigFile(
  path: string,
  input: CommandInput,
  where: StartEnvironment,
  config: ConfigModule,
  added?: OnlyDependency[],
): Promise<AppSpec[]> {
  const given = Object.keys(APP_FLAGS).filter((f) => input.options[f] !== undefined);
  if (input.rest.length > 0) given.push('--');
  const isPm2File = config.dialectOf(path) === 'pm2';
  if (given.length > 0 && !isPm2File) {
    const what = given[0] === '--' ? '-- args' : flagAsTyped(input, given[0]!);
    throw argumentError(`${what} does not apply to a config file; set it in the file instead`);
  }
  const profile = input.options.env;
  const isScript = isScriptConfig(path);
  if (isScript && input.options['watch-config'])
    throw argumentError(
      `--watch-config: ${basename(path)} is code the daemon does not run; use velos startOrReload`,
    );
  const appendsEnvToName = input.options['append-env-to-name'] === true && typeof profile === 'string';
  // --only a: the file's warnings about its apps are of a alone
  const selected = onlyNames(input.options.only);
  const options = {
    baseEnv: definedEnv(where.env),
    cpuCount: where.cpuCount,
    ...(typeof profile === 'string' ? { envProfile: profile } : {}),
    ...(appendsEnvToName ? { appendsEnvToName } : {}),
    ...(where.defaults ? { defaults: where.defaults } : {}),
    ...(where.warn && !where.isForNames ? { onWarning: where.warn } : {}),
    ...(selected ? { only: selected } : {}),
  };
  const loaded = isScript
    ? await loadEcosystemScript(path, options, config)
    : await config.loadConfigFile(path, options);
  let specs = onlyApps(loaded, input.options.only, path, where.warn, config);
  if (added !== undefined && specs.length < loaded.length) {
    added.push(...onlyDependencies(specs, loaded));
    const names = new Set([...specs, ...added].map((spec) => spec.name));
    specs = loaded.filter((spec) => names.has(spec.name));
  }
  checkCommandLines(specs, basename(path));
  // PM2: --watch and --namespace apply to a process file's apps, other app flags are ignored (a warning)
  if (given.length > 0) applyPm2FileFlags(specs, input, given, where.warn, basename(path));
  // CFG-2: each app stays linked to its file, for `velos config reload` and --watch-config (a JS file is
  // code: only the CLI runs it, so its apps are not linked)
  if (isScript) return specs;
  // --only stays with the link: reloads of the file take the apps it selected, as `pm2 reload --only`
  const only = typeof input.options.only === 'string' ? specs.map((spec) => spec.name) : undefined;
  for (const spec of specs) {
    spec.source = {
      file: path,
      ...(typeof profile === 'string' ? { envProfile: profile } : {}),
      ...(appendsEnvToName ? { appendsEnvToName } : {}),
      ...(input.options['watch-config'] ? { isWatched: true } : {}),
      ...(only ? { only } : {}),
    };
  }
  return specs;
}

/** Builds the one app described by a script and flags, validated by the same schema as config files. */
export function specsFromFlags(
  script: string,
  input: CommandInput,
  where: StartEnvironment,
  config: ConfigModule,
): AppSpec[] {
  const o = input.options;
  // PM2 starts a script given --env too (the profile has nothing to select): a warning, not an error
  if (o.env !== undefined)
    where.warn?.(
      `--env ${String(o.env)}: selects the env_<profile> tables of a config file; ignored with a script`,
    );
  if (o['watch-config']) throw argumentError('--watch-config watches a config file; use it with one');
  if (o['append-env-to-name'])
    where.warn?.(
      "--append-env-to-name: adds the --env profile to the names of a config file's apps; ignored with a script",
    );
  const entry: Record<string, unknown> = { script };
  const text = (flag: string) => (typeof o[flag] === 'string' ? (o[flag] as string) : undefined);
  for (const flag of PASS_THROUGH_FLAGS) {
    if (text(flag) !== undefined) entry[APP_FLAGS[flag]!] = text(flag);
  }
  // PM2's `--cron-restart 0` (its documented way to turn the cron off) is no cron restart
  if (typeof entry.cron_restart === 'string' && isCronOff(entry.cron_restart)) delete entry.cron_restart;
  // PM2's CLI reads a bare `--watch-delay 4` as seconds (files say milliseconds, as in PM2)
  const watchDelay = text('watch-delay');
  if (watchDelay !== undefined && BARE_NUMBER.test(watchDelay)) entry.watch_delay = `${watchDelay}s`;
  // a file's bare number is milliseconds: `--every 30` would run a job every 30 ms, `--timeout 5` kill it in 5
  for (const flag of ['every', 'timeout']) {
    const value = text(flag);
    if (value !== undefined && BARE_NUMBER.test(value.trim()))
      throw argumentError(
        `${flagAsTyped(input, flag)}: expected a duration with its unit like "30s", "30m" or "1h" (a bare number is ambiguous), got ${JSON.stringify(value)}`,
      );
  }
  const instances = text('instances');
  if (instances !== undefined)
    entry.instances =
      instances === 'max'
        ? 'max'
        : integer(
            flagAsTyped(input, 'instances'),
            instances,
            'a whole number, "max", 0 (one per CPU) or -n (CPUs minus n)',
          );
  // SUP-5: -i means cluster mode (as in PM2) unless --exec-mode says otherwise; non-Node programs fork
  if (instances !== undefined && o['exec-mode'] === undefined) entry.exec_mode = 'cluster';
  if (o['wait-ready']) entry.wait_ready = true;
  if (o['shutdown-with-message']) entry.shutdown_with_message = true;
  // PM2's -x: fork, even with -i
  if (o['execute-command']) entry.exec_mode = 'fork';
  const maxRestarts = text('max-restarts');
  if (maxRestarts !== undefined)
    entry.max_restarts = integer(flagAsTyped(input, 'max-restarts'), maxRestarts, 'an integer, 0 or more');
  const codes = text('stop-exit-codes');
  if (codes !== undefined) {
    entry.stop_exit_codes = codes
      .split(',')
      .map((c) => integer(flagAsTyped(input, 'stop-exit-codes'), c.trim(), 'exit codes like 0,3'));
  }
  if (o['no-autorestart']) entry.autorestart = false;
  if (o['no-inherit-env']) entry.inherit_env = false;
  if (o['no-autostart']) entry.autostart = false;
  // PM2's --filter-env [envs]: alone, none of this shell's environment but the basics
  if (o['filter-env'] === true) entry.filter_env = true;
  else if (text('filter-env') !== undefined) entry.filter_env = commaList(text('filter-env')!, /[\s,]+/);
  if (o.time) entry.time = true;
  if (o['merge-streams']) entry.merge_logs = true;
  // PM2's --merge-logs: the instances share the app's files (Velos's default; it clears log_per_instance)
  if (o['merge-logs']) entry.log_per_instance = false;
  const retain = text('log-retain');
  if (retain !== undefined)
    entry.log_retain = integer(flagAsTyped(input, 'log-retain'), retain, 'a whole number, 0 or more');
  if (o['no-log-compress']) entry.log_compress = false;
  if (o['no-log-engine']) entry.log_engine = false;
  // read here (relative to the shell's cwd, as --output is), not by the daemon: a bad file is refused now
  if (text('env-file') !== undefined) entry.env_file = resolve(where.cwd, text('env-file')!);
  if (text('output') !== undefined) entry.out_file = flagPath(where.cwd, text('output')!);
  if (text('error') !== undefined) entry.error_file = flagPath(where.cwd, text('error')!);
  const pidFile = text('pid') === undefined ? undefined : flagPath(where.cwd, text('pid')!);
  // a pid file at /dev/null is none: the daemon removes an app's pid file when its run ends
  if (pidFile !== undefined && pidFile !== NULL_DEVICE) entry.pid_file = pidFile;
  if (text('log') !== undefined) entry.log_file = flagPath(where.cwd, text('log')!);
  // PM2's `-l` without a path: the combined file logs/<name>.log in the daemon's home
  else if (o.log === true) entry.log_file = true;
  // PM2's --disable-logs, as its disable_logs key: the output goes to no file, whatever files are named
  if (o['disable-logs']) {
    entry.out_file = NULL_DEVICE;
    entry.error_file = NULL_DEVICE;
    delete entry.log_file;
  }
  if (input.rest.length > 0) entry.args = input.rest;
  // SUP-8: a schedule, an interval or a run timeout makes the app a job
  if (o.type === undefined && ['schedule', 'every', 'timeout'].some((flag) => o[flag] !== undefined))
    entry.type = 'job';
  const history = text('history');
  if (history !== undefined)
    entry.history = integer(flagAsTyped(input, 'history'), history, 'a whole number, 1 or more');
  const dependsOn = text('depends-on');
  if (dependsOn !== undefined) entry.depends_on = dependsOn.split(',').map((name) => name.trim());
  if (o.watch !== undefined) entry.watch = o.watch === true ? true : globList(String(o.watch), /,/);
  // PM2 separates them with spaces, Velos with commas: both
  if (text('ignore-watch') !== undefined) entry.ignore_watch = globList(text('ignore-watch')!, /[,\s]/);
  if (text('liveness-http') !== undefined) entry.liveness_probe = { http: text('liveness-http') };
  if (text('readiness-http') !== undefined) entry.readiness_probe = { http: text('readiness-http') };

  const cwd = text('cwd');
  if (cwd !== undefined && !statOf(resolve(where.cwd, cwd))?.isDirectory()) {
    throw invalid(`${flagAsTyped(input, 'cwd')}: not a directory: ${cwd}`);
  }
  const result = config.appConfigSchema.safeParse(
    where.defaults ? config.underDefaults(where.defaults, entry) : entry,
    config.CONFIG_PARSE,
  );
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    // the flag as typed: PM2's --max-memory-restart and Velos's --max-memory set the same key
    const flag = flagOfKey(input, key);
    const label = flag ? flagAsTyped(input, flag) : key || 'velos start';
    // what was typed (`--readiness-http localhost:1`), not the value the flag became ({ http: … })
    const typed = flag === undefined ? undefined : o[flag];
    const became = entry[key];
    const isObject = typeof became === 'object' && became !== null && !Array.isArray(became);
    const got = isObject && typeof typed === 'string' ? typed : became;
    const suffix = got === undefined || issue.message.includes('got') ? '' : `, got ${JSON.stringify(got)}`;
    throw argumentError(`${label}: ${issue.message}${suffix}`);
  }
  let spec: AppSpec;
  try {
    spec = config.resolveAppSpec(result.data, {
      baseDir: where.cwd,
      baseEnv: definedEnv(where.env),
      cpuCount: where.cpuCount,
    });
  } catch (error) {
    // flags that do not go together (`-i 2` on a job) are a bad command line, as a bad value is: exit 2,
    // naming the flag as typed
    const refused =
      error instanceof VelosError ? (error.data as { key?: unknown; why?: unknown }) : undefined;
    const flag = typeof refused?.key === 'string' ? flagOfKey(input, refused.key) : undefined;
    // only a flag given: the count may come from the config's [defaults]
    if (flag === undefined || o[flag] === undefined || typeof refused?.why !== 'string') throw error;
    throw argumentError(`${flagAsTyped(input, flag)}: ${refused.why}`);
  }
  const every = text('every');
  if (every !== undefined && spec.intervalMs !== undefined && spec.intervalMs < SUB_SECOND_JOB_MS)
    where.warn?.(subSecondEvery(flagAsTyped(input, 'every'), every));
  return [spec];
}

/** An interval under this is most likely a typo (`5ms` for `5m`): it is run as asked, with a warning. */
const SUB_SECOND_JOB_MS = 1000;

/** The warning for `--every 5ms`: the runs follow each other at once, each a new process. */
function subSecondEvery(flag: string, value: string): string {
  const minutes = /^\s*(\d+(?:\.\d+)?)\s*ms\s*$/i.exec(value);
  const meant = minutes ? ` (${minutes[1]}m is ${minutes[1]} minutes)` : '';
  return `${flag} ${value}: a job this frequent runs back to back, a new process each time${meant}`;
}

/** The flag given for config `key` (PM2's --max-memory-restart and Velos's --max-memory set one key). */
function flagOfKey(input: CommandInput, key: string): string | undefined {
  const flags = Object.entries(APP_FLAGS).filter(([, k]) => k === key);
  return (flags.find(([flag]) => input.options[flag] !== undefined) ?? flags[0])?.[0];
}

/** Flags that take a cron expression (PM2's `--cron` and Velos's names). */
const CRON_FLAGS = ['cron', 'cron-restart', 'log-rotate-cron', 'schedule'] as const;

/**
 * Checks the cron expressions of `velos start` flags with the scheduler's own parser before anything
 * starts, so that a bad one, or one that never fires, is refused naming the flag as typed (`-c`,
 * `--cron`), not the config key.
 */
export async function checkCronFlags(input: CommandInput, config: ConfigModule): Promise<void> {
  for (const flag of CRON_FLAGS) {
    const value = input.options[flag];
    if (typeof value !== 'string') continue;
    if ((flag === 'cron' || flag === 'cron-restart') && isCronOff(value)) continue;
    const reason = await config.cronProblem(value);
    if (reason === null) continue;
    throw argumentError(
      `${flagAsTyped(input, flag)}: expected a cron expression like "0 3 * * *", got ${JSON.stringify(value)} (${reason})`,
    );
  }
}

const NULL_DEVICE = '/dev/null';

/** A log or pid path of a start flag, from the shell's directory; PM2's `NULL` (no file) is /dev/null. */
function flagPath(cwd: string, value: string): string {
  return value === 'NULL' ? NULL_DEVICE : resolve(cwd, value);
}

/** PM2's value of `--cron-restart` (`--cron`, `-c`) that turns the cron restart off: 0. */
function isCronOff(value: string): boolean {
  return value.trim() === '0';
}

/** The error for a bare word that is neither a process, a file nor a program on PATH. */
export function notFound(word: string, cwd?: string): VelosError {
  const near = cwd === undefined ? null : nearbyFile(word, cwd);
  const hint = near === null ? '' : `; did you mean ${near}?`;
  return invalid(`script not found: ${word} (not a file, a known process or a program on PATH${hint})`);
}

function integer(flag: string, value: string, expected: string): number {
  if (!/^-?\d+$/.test(value))
    throw argumentError(`${flag}: expected ${expected}, got ${JSON.stringify(value)}`);
  return Number(value);
}

function commaList(value: string, separator: string | RegExp = ','): string[] {
  return value
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * A list of paths or globs split at `separator` outside braces: `src/**\/*.{js,ts},config` is two
 * items, not a broken `src/**\/*.{js` and `ts}`.
 */
export function globList(value: string, separator: RegExp): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '{') depth += 1;
    else if (ch === '}' && depth > 0) depth -= 1;
    else if (depth === 0 && separator.test(ch)) {
      items.push(value.slice(start, i));
      start = i + 1;
    }
  }
  items.push(value.slice(start));
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** What the file system says against a start (no such script or directory): exit 1, not a usage error. */
function invalid(message: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, message);
}
