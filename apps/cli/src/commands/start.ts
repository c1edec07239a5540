import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  type AlertRule,
  type AppSpec,
  dateFormatTokensProblem,
  maskSecrets,
  type ProcessInfo,
  startWithFileAlerts,
  TARGET_MAX_CHARS,
  type VelosControl,
  VelosError,
} from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { type CommandContext, printWarnings } from '../context.js';
import { logicalCwd } from '../logical-cwd.js';
import { argumentError, usageError } from '../parse-argv.js';
import { forEachTarget, reportNotFound } from '../pm2/each-target.js';
import { ensureLogDirs, isScriptConfig } from '../pm2/ecosystem-file.js';
import { ignoredPm2FlagsWarning } from '../pm2/ignored-flags.js';
import { isRegexTarget } from '../pm2/regex-targets.js';
import { isFile } from '../safe-stat.js';
import { checkCommandLine } from './command-line-program.js';
import { dependenciesFirst, dependsOutside } from './dependency-first.js';
import { forkFallbackWarnings } from './fork-fallback.js';
import { type OnlyDependency, onlyDependencyLine } from './only-dependencies.js';
import { printProcesses } from './print-processes.js';
import { spawnFailure, spawnFailureOf } from './start-failures.js';
import { type RunningAction, startOrAct } from './start-or.js';
import { startOrForce } from './start-or-force.js';
import {
  checkCronFlags,
  findOnPath,
  hasAppOptions,
  notFound,
  resolveStartTarget,
  type StartEnvironment,
  specsFromConfigFile,
  specsFromFlags,
} from './start-spec.js';
import { parseWaitTimeout, waitForStart } from './start-wait.js';
import { watchPathWarnings } from './watch-path-warnings.js';

/**
 * `velos start <script|"command line"|config file>`: validates everything before talking to the
 * daemon (a bad config never starts one), starts the apps, and prints the list. A PM2 process file
 * (ecosystem.config.js, process.json…) restarts its apps that already run, as `pm2 start` does.
 */
export async function runStart(ctx: CommandContext, input: CommandInput): Promise<void> {
  const config = await import('@velos/core/config');
  const where = await startEnvironment(ctx, config, [input.args[0], input.options.cwd]);
  // PM2's --no-vizion, --no-pmx…: ignored as the same keys of a process file are, with one warning
  const ignored = ignoredPm2FlagsWarning(input);
  if (ignored !== null) where.warn?.(ignored);
  const arg = input.args[0] ?? defaultProcessFile(where.cwd);
  const target = resolveStartTarget(arg, input, where, config);
  // letters that are no token stay as text (as in PM2): said as of a process file's log_date_format
  const dateFormat = input.options['log-date-format'];
  const dateProblem = typeof dateFormat === 'string' ? dateFormatTokensProblem(dateFormat) : null;
  // PM2's --time overrides --log-date-format beside it
  if (typeof dateFormat === 'string' && input.options.time === true && target.kind !== 'config')
    where.warn?.('--log-date-format: ignored: --time stamps the lines with ISO 8601 UTC times, as in PM2');
  else if (dateProblem !== null && target.kind !== 'config')
    where.warn?.(`--log-date-format: ${dateProblem}`);
  let specs: AppSpec[];
  let alerts: AlertRule[] | null = null;
  let onRunning: RunningAction | null = null;
  const added: OnlyDependency[] = [];
  if (target.kind === 'config') {
    specs = await specsFromConfigFile(target.path, input, where, config, added);
    // OBS-3: the file's [[alerts]] are checked before anything starts; they replace the file's rules
    if (!isScriptConfig(target.path)) alerts = await config.loadConfigAlerts(target.path);
    if (config.dialectOf(target.path) === 'pm2') onRunning = 'restart';
  } else if (target.kind === 'script') {
    specs = specsFromFlags(target.script, input, where, config);
    // a command line's program is looked for as a bare program is (`velos start deno`), on the app's PATH
    if (!isFile(target.script)) checkCommandLine(target.script, specs[0]!.env);
    await checkCronFlags(input, config);
  } else {
    const env = input.options['update-env'] ? definedEnv(where.env) : undefined;
    if (!input.options['dry-run'] && !hasAppOptions(input) && (await startExisting(ctx, target.word, env)))
      return;
    if (findOnPath(target.word, where.env) === null) throw notFound(target.word, where.cwd);
    specs = specsFromFlags(target.word, input, where, config);
    await checkCronFlags(input, config);
  }

  // before the daemon (a file with a missing script never starts one), as the daemon checks every start;
  // a dry run refuses what the start would
  await checkAppCommands(specs, target.kind === 'config' ? target.path : undefined);
  if (input.options['dry-run']) {
    // as the daemon's start refuses (increment_var, metrics_url {port}, pid_file), in its words
    (await import('@velos/supervisor/spec-tools')).checkStartProblems(specs);
    // env's names only, and the secret flags of args, a command-line script, a probe's headers masked
    ctx.printJson(
      specs.map(({ env, ownEnv: _own, ...spec }) => maskSecrets({ ...spec, envKeys: Object.keys(env) })),
    );
    return;
  }
  // --wait (as docker compose up --wait): a bad --wait-timeout is refused before anything starts
  const waitText = input.options['wait-timeout'];
  const isWaiting = input.options.wait === true || typeof waitText === 'string';
  const waitMs = isWaiting ? parseWaitTimeout(typeof waitText === 'string' ? waitText : undefined) : 0;
  ensureLogDirs(specs);
  printWarnings(watchPathWarnings(specs));
  const startApps = async (client: VelosControl, isForeground = false): Promise<void> => {
    const startedAt = Date.now();
    if (added.length > 0) specs = await withoutRunningDependencies(client, specs, added);
    const startThem = (): Promise<unknown> =>
      onRunning
        ? startOrAct(client, specs, onRunning)
        : startOrForce(
            client,
            specs,
            input.options.force === true,
            target.kind === 'config' ? { path: target.path, typed: arg } : undefined,
          );
    // OBS-3: the file's [[alerts]] are in before its apps start (an exit in their first ms is seen);
    // a refused start puts the file's earlier rules back
    if (target.kind === 'config' && !isScriptConfig(target.path))
      await startWithFileAlerts(client, resolve(target.path), alerts ?? [], startThem);
    else await startThem();
    const names = new Set(specs.map((spec) => spec.name));
    const { listed, timeout } = isWaiting
      ? await waitForStart(client, names, waitMs)
      : { listed: await client.list(), timeout: null };
    printProcesses(ctx, listed, { names });
    if (target.kind !== 'config')
      for (const warning of forkFallbackWarnings(specs, listed)) where.warn?.(warning);
    // an app whose dependency failed while the start went on ended errored: the start failed (exit 1)
    const errored = await spawnFailure(client, listed, names, startedAt, isWaiting);
    const failure =
      errored && timeout
        ? new VelosError(errored.code, `${errored.message}; ${timeout.message}`)
        : (errored ?? timeout);
    // in the foreground (a container's PID 1) the other apps run on: the reason is told, not fatal
    if (failure && isForeground) process.stderr.write(`velos: ${failure.message}\n`);
    else if (failure) throw failure;
  };
  if (input.options['no-daemon']) {
    await (await import('./start-foreground.js')).runInForeground(ctx, (client) => startApps(client, true));
    return;
  }
  await startApps(await ctx.client());
}

/**
 * `--only api`'s dependencies of the file that the daemon has already are not added again: a service
 * of them whose processes are all stopped or errored is started (else api would end errored, its
 * dependency stopped), as `docker compose up api` starts a stopped db; the others start with api. Each
 * started is told in a line; those of the file stay in its link.
 */
async function withoutRunningDependencies(
  client: Pick<VelosControl, 'list' | 'restart'>,
  specs: AppSpec[],
  added: readonly OnlyDependency[],
): Promise<AppSpec[]> {
  const listed = await client.list();
  const left = new Set(added.filter((dep) => listed.some((p) => p.name === dep.name)).map((dep) => dep.name));
  const kept = specs.filter((spec) => !left.has(spec.name));
  const only = kept.map((spec) => spec.name);
  for (const spec of kept) if (spec.source?.only) spec.source.only = only;
  const down: string[] = [];
  for (const dep of added) {
    const processes = listed.filter((p) => p.name === dep.name);
    const isDown =
      processes.length > 0 &&
      processes.every((p) => p.type === 'service' && (p.status === 'stopped' || p.status === 'errored'));
    if (left.has(dep.name) && !isDown) continue;
    process.stderr.write(`velos: ${onlyDependencyLine(dep)}\n`);
    if (isDown) down.push(dep.name);
  }
  // the dependencies found last are those the others need: started first, as velos start <name> starts it
  for (const name of down.reverse()) await client.restart(name);
  return kept;
}

/**
 * What `velos start` without a target starts: PM2's process file, as `pm2 start` alone does, else
 * Velos's own file, as `process-compose up` starts the file of its directory.
 */
const DEFAULT_FILES = ['ecosystem.config.js', 'velos.toml'];

/** `velos start` alone: the first default file of the current directory, or the usage error. */
function defaultProcessFile(cwd: string): string {
  const found = DEFAULT_FILES.find((name) => isFile(join(cwd, name)));
  if (found !== undefined) return found;
  throw usageError(
    `velos start needs <script|"command line"|config file>; without one it starts ./${DEFAULT_FILES[0]}, as pm2 start does, or ./${DEFAULT_FILES[1]}, and there is neither here`,
    'start',
  );
}

/**
 * `velos startOrRestart|startOrReload|startOrGracefulReload <file>`: starts the file's apps that do
 * not run; restarts (with the file's spec) or reloads (zero downtime) those that do.
 */
export async function runStartOr(
  ctx: CommandContext,
  input: CommandInput,
  action: RunningAction,
): Promise<void> {
  const config = await import('@velos/core/config');
  const where = await startEnvironment(ctx, config, [input.args[0]]);
  const ignored = ignoredPm2FlagsWarning(input);
  if (ignored !== null) where.warn?.(ignored);
  const target = resolveStartTarget(input.args[0]!, input, where, config);
  if (target.kind !== 'config') {
    throw argumentError(
      `${input.args[0]}: expected a process file (ecosystem.config.js, .json, .yaml or .toml)`,
    );
  }
  const specs = await specsFromConfigFile(target.path, input, where, config);
  await checkAppCommands(specs, target.path);
  // OBS-3: a TOML/YAML/JSON file's [[alerts]] replace the file's rules, as at `velos start <file>`
  const alerts = isScriptConfig(target.path) ? null : ((await config.loadConfigAlerts(target.path)) ?? []);
  ensureLogDirs(specs);
  printWarnings(watchPathWarnings(specs));
  const client = await ctx.client();
  // the file's apps take this shell's environment with or without --update-env, as at their start
  const act = (): Promise<unknown> => startOrAct(client, specs, action);
  const startedAt = Date.now();
  if (alerts === null) await act();
  else await startWithFileAlerts(client, resolve(target.path), alerts, act);
  const listed = await client.list();
  const names = new Set(specs.map((spec) => spec.name));
  printProcesses(ctx, listed, { names });
  // an app that could not be spawned (its script or cwd gone since it started) fails the command, as at velos start
  const failure = await spawnFailure(client, listed, names, startedAt);
  if (failure) throw failure;
}

/**
 * Refuses the start when an app's script file or interpreter is not there, every such app named in the
 * one line, after the config file's name (`velos.toml: 2 apps cannot start: api: …; worker: …`).
 */
async function checkAppCommands(specs: AppSpec[], file?: string): Promise<void> {
  const { checkCommands } = await import('@velos/supervisor/spec-tools');
  try {
    // an app's env holds this shell's PATH: one without any runs with the daemon's, not known here
    checkCommands(specs, { daemonPath: null });
  } catch (error) {
    if (file === undefined || !(error instanceof VelosError)) throw error;
    throw new VelosError(error.code, `${basename(file)}: ${error.message}`, { data: error.data });
  }
}

/** Where `velos start` runs, with `[defaults]` of config.toml and the warning printer. */
export async function startEnvironment(
  ctx: CommandContext,
  config: typeof import('@velos/core/config'),
  typed: readonly unknown[] = [],
): Promise<StartEnvironment> {
  const where: StartEnvironment = {
    cwd: logicalCwd(process.env, typed),
    env: process.env,
    cpuCount: availableParallelism(),
    warn: (message) => printWarnings([message]),
  };
  // CFG-2: [defaults] of config.toml apply to every app started from now on (an invalid file stops the start)
  const daemonConfig = await config.loadDaemonConfig(join(ctx.home, 'config.toml'));
  if (daemonConfig && Object.keys(daemonConfig.defaults).length > 0) where.defaults = daemonConfig.defaults;
  return where;
}

/**
 * PM2's `start <target>` of processes the daemon has: `all`, an id, a name, a namespace or a
 * `/regex/`, resolved as `restart` resolves them; false when the target matches no process (then it
 * may be a program on PATH). Stopped processes start, running services restart (a job waiting for
 * its schedule is left to it), an app after the apps it depends on (the daemon holds a stopped app
 * until they meet their conditions); `--update-env` gives them this shell's environment.
 */
async function startExisting(
  ctx: CommandContext,
  word: string,
  env?: Record<string, string>,
): Promise<boolean> {
  // longer than any target the daemon takes: no process, so a script or program (or not found as one)
  if (word.length > TARGET_MAX_CHARS) return false;
  const client = await ctx.client();
  const acted: ProcessInfo[] = [];
  const { done, notFound } = await forEachTarget(
    [word],
    () => client.list(),
    'start',
    async (target) => {
      const matches = await client.describe(target);
      const picked = matches.filter(
        (p) => p.status === 'stopped' || p.status === 'errored' || p.type !== 'job',
      );
      // the order goes through the daemon's other apps too (c → b → a with b outside the target)
      const chosen = dependenciesFirst(picked, dependsOutside(picked) ? await client.describe('all') : []);
      for (const p of chosen)
        acted.push(...(await (env ? client.restart(String(p.id), { env }) : client.restart(String(p.id)))));
      return matches;
    },
    { allNeedsOne: true },
  );
  // `all` and a /regex/ are never a program: matching nothing is the command's error
  if (done === 0 && (word === 'all' || isRegexTarget(word))) reportNotFound(notFound);
  if (done === 0) return false;
  const listed = await client.list();
  printProcesses(ctx, listed, { processes: acted });
  // an app whose script or working directory is gone is errored now: the command fails, as restart does
  const failure = await spawnFailureOf(client, listed, acted);
  if (failure) throw failure;
  return true;
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
