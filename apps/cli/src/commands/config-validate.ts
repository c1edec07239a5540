import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type AppSpec, ErrorCodes, VelosError } from '@velos/core';
import { type CommandContext, printWarnings } from '../context.js';
import { isScriptConfig } from '../pm2/ecosystem-file.js';
import { startEnvironment } from './start.js';
import { specsFromConfigFile } from './start-spec.js';

/** What `velos config validate` found in a file that is valid. */
export interface ConfigValidation {
  file: string;
  valid: true;
  /** App names in start order (dependencies first); empty for `$VELOS_HOME/config.toml`. */
  apps: string[];
  alerts: number;
  /**
   * Dependencies on apps the file does not describe: they must run in the daemon when the file starts;
   * `meant`, the app of the file the name is likely a typo of (`dbb` for `db`), as `velos start` says.
   */
  external: { app: string; dependsOn: string; meant?: string }[];
}

/**
 * `velos config validate [file]` (CLI-1): checks a config file as `velos start` and `velos config reload`
 * would (schema, env files, alerts, missing scripts, programs, interpreters and cwds, increment_var,
 * metrics_url and pid_file as a start refuses them, depends_on cycles)
 * without a daemon and without starting anything.
 * Without a file it checks `$VELOS_HOME/config.toml`. An invalid file prints every problem, one line
 * each (the first is the line `velos start` prints), and exits 1.
 */
export async function runConfigValidate(
  ctx: CommandContext,
  file: string | undefined,
  profile: string | undefined,
): Promise<void> {
  try {
    await validate(ctx, file, profile);
  } catch (error) {
    throw withEveryIssue(ctx, error);
  }
}

async function validate(
  ctx: CommandContext,
  file: string | undefined,
  profile: string | undefined,
): Promise<void> {
  const config = await import('@velos/core/config');
  const daemonFile = join(ctx.home, 'config.toml');
  const path = file === undefined ? daemonFile : resolve(file);
  if (!existsSync(path) && statError(path) !== 'EACCES') {
    // a file in a directory this user cannot search is not "no such file": the read below says why
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      file === undefined ? `no file given and no ${daemonFile}` : `${file}: no such file`,
      { data: { exitCode: 2 } },
    );
  }
  let result: ConfigValidation;
  if (path === daemonFile) {
    // an unknown table ([otel], [prometheus]) is kept, as the daemon keeps it: said as it says it
    printWarnings((await config.loadDaemonConfig(path))?.warnings);
    const alerts = await config.loadConfigAlerts(path);
    result = { file: path, valid: true, apps: [], alerts: alerts?.length ?? 0, external: [] };
  } else {
    if (!config.isConfigFile(path) && !isScriptConfig(path)) {
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `${basename(path)}: not a config file (expected ${config.CONFIG_EXTENSIONS.join(', ')} or a PM2 process file)`,
        { data: { exitCode: 2 } },
      );
    }
    const where = await startEnvironment(ctx, config);
    const input = { args: [path], options: profile === undefined ? {} : { env: profile }, rest: [] };
    const specs = await specsFromConfigFile(path, input, where, config);
    const alerts = isScriptConfig(path) ? null : await config.loadConfigAlerts(path);
    await checkCommandsOf(specs, path);
    await checkStartProblemsOf(specs, path);
    const { ordered, external } = await checkDependencies(specs).catch((error: unknown) => {
      // the daemon's cycle error names the apps; here it also names the file
      if (error instanceof VelosError)
        throw new VelosError(error.code, `${basename(path)}: ${error.message}`);
      throw error;
    });
    result = { file: path, valid: true, apps: ordered, alerts: alerts?.length ?? 0, external };
  }
  if (ctx.mode !== 'text') ctx.printJson(result);
  else ctx.print(describeValidation(result));
}

/**
 * The file's apps in start order; a cycle among them throws as `velos start` would. A dependency on an
 * app the file does not hold is not an error here (the daemon may run it): it is listed instead.
 */
async function checkDependencies(
  specs: AppSpec[],
): Promise<{ ordered: string[]; external: ConfigValidation['external'] }> {
  const names = new Set(specs.map((spec) => spec.name));
  // the subpath, not the main entry of @velos/supervisor (the whole daemon)
  const { dependencySuggester, orderByDependencies } = await import('@velos/supervisor/spec-tools');
  const meantDependency = dependencySuggester(names);
  const external = specs.flatMap((spec) =>
    spec.dependsOn
      .filter((dep) => !names.has(dep.name))
      .map((dep) => {
        const meant = meantDependency(spec.name, dep.name);
        return { app: spec.name, dependsOn: dep.name, ...(meant === null ? {} : { meant }) };
      }),
  );
  const inFile = specs.map((spec) => ({
    ...spec,
    dependsOn: spec.dependsOn.filter((dep) => names.has(dep.name)),
  }));
  const ordered = orderByDependencies(inFile, (spec) => spec, new Map(), { missing: 'not in this file' });
  return { ordered: ordered.map((spec) => spec.name), external };
}

/**
 * Refuses the file as `velos start` would when an app's cwd, script, program or interpreter is not
 * there: the start's line (every such app on it), and with `--json` one issue per app.
 */
async function checkCommandsOf(specs: AppSpec[], path: string): Promise<void> {
  const { checkCommands } = await import('@velos/supervisor/spec-tools');
  try {
    // an app's env holds this shell's PATH: one without any runs with the daemon's, not known here
    checkCommands(specs, { daemonPath: null });
  } catch (error) {
    const apps =
      error instanceof VelosError ? (error.data as { apps?: unknown } | undefined)?.apps : undefined;
    if (!Array.isArray(apps)) throw error;
    const label = basename(path);
    const issues = (apps as { name: string; problem: string }[]).map(({ name, problem }) => ({
      message: `${label}: ${name}: ${problem}`,
      keyPath: ['apps', specs.findIndex((spec) => spec.name === name)],
    }));
    throw new VelosError(ErrorCodes.INVALID_CONFIG, `${label}: ${(error as VelosError).message}`, {
      cause: error,
      data: { file: path, issues, namedTogether: issues.length },
    });
  }
}

/**
 * Refuses the file as `velos start` would when an app's spec is one a start refuses, in the start's
 * words (`startProblem`: an `increment_var` naming no whole number in the env it starts with, the file's,
 * its env files' and this shell's; a `metrics_url` `{port}` without one; a `pid_file` that holds no
 * regular file), one issue per app.
 */
async function checkStartProblemsOf(specs: AppSpec[], path: string): Promise<void> {
  const { startProblem } = await import('@velos/supervisor/spec-tools');
  const label = basename(path);
  const issues = specs.flatMap((spec, i) => {
    const problem = startProblem(spec);
    return problem === null
      ? []
      : [{ message: `${label}: ${problem.message}`, keyPath: ['apps', i, problem.key] }];
  });
  if (issues.length === 0) return;
  throw new VelosError(ErrorCodes.INVALID_CONFIG, issues[0]!.message, { data: { file: path, issues } });
}

/** What `--json` prints for an invalid file (on stdout; the first problem is on stderr too). */
export interface ConfigRefusal {
  valid: false;
  code: string;
  file?: string;
  /** Every problem, at most 10: `message` (one line naming file, key and line), `keyPath`, `line`. */
  issues: { message: string; keyPath: PropertyKey[]; line?: number }[];
  /** Problems beyond those listed. */
  more?: number;
}

/**
 * The error to throw for a config error that lists several problems (`data.issues`): each problem but
 * the last is written to stderr as a `velos: …` line first, in the order of the file's error, so that
 * with the line the CLI prints for the error thrown every problem has its line, the first one first.
 * With `--json`, the refusal is also printed on stdout.
 */
function withEveryIssue(ctx: CommandContext, error: unknown): unknown {
  if (!(error instanceof VelosError) || error.code !== ErrorCodes.INVALID_CONFIG) return error;
  const data = (error.data ?? {}) as {
    issues?: ConfigRefusal['issues'];
    more?: number;
    file?: string;
    namedTogether?: number;
  };
  if (!Array.isArray(data.issues) || data.issues.length === 0) return error;
  if (ctx.mode !== 'text') {
    const refusal: ConfigRefusal = {
      valid: false,
      code: error.code,
      ...(data.file === undefined ? {} : { file: data.file }),
      issues: data.issues,
      ...(data.more === undefined ? {} : { more: data.more }),
    };
    ctx.printJson(refusal);
    return error;
  }
  // the first line as `velos start` prints it, in place of the issues its message names together (the
  // unknown keys of one table, which --json lists one by one with their lines)
  const lines = data.issues.map((issue) => issue.message);
  lines.splice(0, data.namedTogether ?? 1, error.message);
  if (data.more !== undefined) {
    const label = /^[^:]+/.exec(error.message)?.[0] ?? 'config';
    lines.push(`${label}: and ${data.more} more problem${data.more === 1 ? '' : 's'}`);
  }
  if (lines.length === 1) return error;
  for (const line of lines.slice(0, -1)) process.stderr.write(`velos: ${line}\n`);
  return new VelosError(error.code, lines.at(-1)!, { cause: error, data: error.data });
}

/** Apps named in the text output: all of a file of at most this many, else the first SHOWN_NAMES. */
const LISTED_NAMES = 20;
const SHOWN_NAMES = 10;

function describeValidation(result: ConfigValidation): string {
  const label = basename(result.file);
  const alerts = `${result.alerts} alert rule${result.alerts === 1 ? '' : 's'}`;
  if (result.apps.length === 0 && result.external.length === 0) return `${label}: valid (${alerts})`;
  const apps = `${result.apps.length} app${result.apps.length === 1 ? '' : 's'} (${nameList(result.apps)})`;
  const lines = [`${label}: valid: ${apps}, ${alerts}`];
  const external =
    result.external.length > LISTED_NAMES ? result.external.slice(0, SHOWN_NAMES) : result.external;
  for (const { app, dependsOn, meant } of external) {
    const hint = meant === undefined ? '' : ` (did you mean '${meant}'?)`;
    lines.push(
      `  ${app} depends on ${dependsOn}, which this file does not describe: it must run in the daemon${hint}`,
    );
  }
  const more = result.external.length - external.length;
  if (more > 0)
    lines.push(`  and ${more} more dependencies on apps outside the file (--json lists them all)`);
  return lines.join('\n');
}

/** The names, or for a large file the first ones and how many more (`--json` keeps every name). */
function nameList(names: string[]): string {
  if (names.length <= LISTED_NAMES) return names.join(', ');
  const more = names.length - SHOWN_NAMES;
  return `${names.slice(0, SHOWN_NAMES).join(', ')} and ${more} more; --json lists them all`;
}

function statError(path: string): string | undefined {
  try {
    statSync(path);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}
