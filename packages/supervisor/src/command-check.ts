import { opendirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ErrorCodes,
  isVelosError,
  namesScriptFile,
  type OptionHint,
  optionHintsOf,
  suggestKey,
  VelosError,
} from '@velos/core';
import { type CommandSpec, findOnPath, type ResolvedCommand, resolveCommand } from './resolve-command.js';

/** An app's command as the check reads it: its name and what `resolveCommand` reads. */
export type NamedCommandSpec = CommandSpec & { name: string };

/** Where the check runs. */
export interface CommandCheckOptions {
  /**
   * The daemon's PATH, which an app whose env has no PATH runs with (its programs and interpreters are
   * looked up on it): this process's by default, as in the daemon; `null` where it is not known (the
   * CLI, whose PATH may not be the daemon's), and such an app is then checked for its files only.
   */
  daemonPath?: string | null;
}

/**
 * Where a spawn looks a bare program up when the child's env has no PATH: libuv's default search path
 * (`_PATH_DEFPATH`), not the daemon's.
 */
const SPAWN_DEFAULT_PATH = '/usr/bin:/bin';

/**
 * Refuses apps whose working directory, script file or interpreter is not there, all of them in one error before any
 * starts (as PM2 refuses a start of a file with one missing script): `api cannot start: script not
 * found: /srv/api.js`, or `2 apps cannot start: api: …; worker: …`. INVALID_ARGUMENT (bad input: HTTP 400), with the apps in
 * `data.apps`. A script removed after its start is a spawn failure of that app alone, not this.
 * @example checkCommands([{ name: 'api', script: 'api.js', cwd: '/srv', args: [], interpreterArgs: [], env: {} }])
 */
export function checkCommands(specs: readonly NamedCommandSpec[], options: CommandCheckOptions = {}): void {
  const hints: OptionHint[] = [];
  const apps = specs.flatMap((spec) => {
    const found = findProblem(spec, options);
    if (found === null) return [];
    hints.push(...found.options);
    return [{ name: spec.name, problem: found.problem }];
  });
  if (apps.length === 0) return;
  const message =
    apps.length === 1
      ? `${apps[0]!.name} cannot start: ${apps[0]!.problem}`
      : `${apps.length} apps cannot start: ${apps.map((app) => `${app.name}: ${app.problem}`).join('; ')}`;
  // the options the problems name, for REST and MCP to name their own way (`spellOptions`)
  const data = hints.length === 0 ? { apps } : { apps, options: hints };
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, message, { data });
}

/**
 * Why an app's command cannot run: its working directory is not there, its script names a file that
 * is not there (with the file one or two edits away), a program on no directory of its PATH, or its
 * interpreter is on none; null when it can.
 */
export function commandProblem(spec: CommandSpec, options: CommandCheckOptions = {}): string | null {
  return findProblem(spec, options)?.problem ?? null;
}

/** `commandProblem`, with the options its words name (`--interpreter <path>`). */
function findProblem(
  spec: CommandSpec,
  options: CommandCheckOptions,
): { problem: string; options: OptionHint[] } | null {
  const problem = problemOf(spec, options);
  if (problem === null) return null;
  return typeof problem === 'string' ? { problem, options: [] } : problem;
}

function problemOf(
  spec: CommandSpec,
  options: CommandCheckOptions,
): string | { problem: string; options: OptionHint[] } | null {
  const cwd = kindOf(spec.cwd);
  if (cwd === 'missing') return `cwd not found: ${spec.cwd}`;
  if (cwd === 'file') return `cwd is not a directory: ${spec.cwd}`;
  // a directory this user may not search (its own user may, and its spawn says so when it may not)
  if (cwd === 'unknown') return null;
  const script = spec.script.trim();
  const path = resolve(spec.cwd, script);
  if (namesScriptFile(script) && !isFile(path)) {
    if (isDirectory(path)) return `script is a directory: ${path}`;
    const near = nearbyFile(script, spec.cwd);
    return `script not found: ${path}${near === null ? '' : ` (did you mean ${near}?)`}`;
  }
  const hasOwnPath = spec.env.PATH !== undefined;
  const daemonPath = options.daemonPath === undefined ? (process.env.PATH ?? '') : options.daemonPath;
  if (!hasOwnPath && daemonPath === null) return null;
  let command: ResolvedCommand;
  try {
    command = resolveCommand(hasOwnPath ? spec : { ...spec, env: { ...spec.env, PATH: daemonPath! } });
  } catch (error) {
    if (isVelosError(error) && error.code === ErrorCodes.SPAWN_FAILED)
      return { problem: error.message, options: optionHintsOf(error) };
    throw error;
  }
  // a bare word left as it was is a program on no directory of that PATH: its spawn fails, unless the
  // app has no PATH of its own and the spawn's default one has it
  const isBareProgram = !command.shell && !script.includes('/') && command.file === spec.script;
  if (isBareProgram && (hasOwnPath || findOnPath(spec.script, SPAWN_DEFAULT_PATH) === null))
    return `script not found: ${script} (not a file in ${spec.cwd}, or a program on the app's PATH)`;
  return null;
}

/** Entries of a directory looked at for a near name: a huge directory is not read whole for a hint. */
const NEAR_FILE_SCAN_MAX = 2000;

/**
 * The file beside a script word that is not there whose name is one or two edits away, written as
 * the word was (`sever.js` → `server.js`, `app/velos.tml` → `app/velos.toml`); null when none is.
 * @example nearbyFile('sever.js', '/srv/api') // 'server.js' when /srv/api/server.js exists
 */
export function nearbyFile(word: string, cwd: string): string | null {
  const prefix = word.slice(0, word.lastIndexOf('/') + 1);
  const names: string[] = [];
  try {
    const dir = opendirSync(resolve(cwd, prefix === '' ? '.' : prefix));
    try {
      for (
        let entry = dir.readSync();
        entry !== null && names.length < NEAR_FILE_SCAN_MAX;
        entry = dir.readSync()
      )
        if (entry.isFile()) names.push(entry.name);
    } finally {
      dir.closeSync();
    }
  } catch {
    return null;
  }
  const near = suggestKey(word.slice(prefix.length), names);
  return near === null ? null : `${prefix}${near}`;
}

/** What a path is: `missing` when it or a directory above it is not there, `unknown` when it cannot be looked at. */
function kindOf(path: string): 'directory' | 'file' | 'missing' | 'unknown' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unknown';
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
