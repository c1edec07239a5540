import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import {
  type AppSpec,
  ErrorCodes,
  namesScriptFile,
  optionHint,
  optionMessage,
  VelosError,
} from '@velos/core';
import { findProjectBin } from './project-bin.js';
import { readShebang, shebangProgram } from './shebang.js';

/** The program to exec for an app: `spawn(file, args)`; `shell` when it is a `/bin/sh -c` command line. */
export interface ResolvedCommand {
  file: string;
  args: string[];
  shell: boolean;
}

/** The spec fields command resolution reads. */
export type CommandSpec = Pick<
  AppSpec,
  'script' | 'args' | 'cwd' | 'interpreter' | 'interpreterArgs' | 'env'
>;

/** Options for tests and unusual hosts; defaults come from the running Node. */
export interface ResolveCommandOptions {
  /** Node version to decide TypeScript support on, e.g. `'22.6.0'`; default `process.versions.node`. */
  nodeVersion?: string;
}

const BY_EXTENSION: Record<string, string> = {
  '.py': 'python3',
  '.sh': 'bash',
  '.rb': 'ruby',
  '.pl': 'perl',
  // Laravel's and Symfony's PHP workers, as PM2 runs a .php
  '.php': 'php',
};
const NODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);
/** What runs a TypeScript script before Node 22.6, in order of preference. */
const TS_LOADERS = ['tsx', 'ts-node'];
const SHELL_SYNTAX = /[\s;&|<>()$`\\"'*?[\]{}~#!=]/;

/**
 * Turns an app's script into the program to exec (SUP-2): an existing file runs with its interpreter
 * (explicit, or by extension), a command line with spaces or shell syntax runs under `/bin/sh -c`,
 * and a bare word is looked up on the app's PATH.
 * @example resolveCommand({ script: 'app.py', cwd: '/srv', args: [], interpreterArgs: [], env: {} })
 * // → { file: 'python3', args: ['/srv/app.py'], shell: false }
 */
export function resolveCommand(spec: CommandSpec, options: ResolveCommandOptions = {}): ResolvedCommand {
  const path = resolve(spec.cwd, spec.script);
  if (isFile(path)) return scriptCommand(spec, path, options);
  if (SHELL_SYNTAX.test(spec.script.trim())) {
    // the app's args (`velos start "node app.js" -- --port 3000`) end the line, each quoted as one word
    const line = [spec.script, ...spec.args.map(shellWord)].join(' ');
    return { file: '/bin/sh', args: ['-c', line], shell: true };
  }
  if (spec.script.includes('/')) return { file: path, args: [...spec.args], shell: false };
  const found = findOnPath(spec.script, spec.env.PATH ?? process.env.PATH ?? '');
  // a missing `server.js` of a config file is a file not there, named where it was looked for (its
  // spawn failed as `cannot start server.js`, read as a program, without the directory)
  if (found === null && namesScriptFile(spec.script))
    return { file: path, args: [...spec.args], shell: false };
  return { file: found ?? spec.script, args: [...spec.args], shell: false };
}

/** Looks an executable up on a PATH string; null when not found. */
export function findOnPath(name: string, pathList: string): string | null {
  for (const dir of pathList.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

function scriptCommand(spec: CommandSpec, path: string, options: ResolveCommandOptions): ResolvedCommand {
  const interpreter =
    spec.interpreter === undefined ? interpreterFor(spec, path, options) : givenInterpreter(spec, path);
  if (interpreter === 'none') {
    // a script that lost its x bit (a checkout, a copy) runs as the kernel runs it when executable: by its #!
    const shebang = spec.interpreter === undefined && !isExecutable(path) ? readShebang(path) : null;
    if (shebang === null) return { file: path, args: [...spec.args], shell: false };
    const arg = shebang.arg === undefined ? [] : [shebang.arg];
    return { file: shebang.program, args: [...arg, path, ...spec.args], shell: false };
  }
  let file = interpreter === 'node' ? process.execPath : interpreter;
  if (!file.includes('/')) {
    const found = findOnPath(file, pathOf(spec));
    if (found === null) throw interpreterNotFound(spec, path, file);
    // found on the daemon's PATH: the spawn of an env without PATH would search /usr/bin:/bin only
    if (spec.env.PATH === undefined) file = found;
  } else if (file !== process.execPath && !exists(resolve(spec.cwd, file))) {
    // (the daemon's own node, removed under it by an uninstall, is left to the spawn, which says so)
    throw interpreterPathNotFound(resolve(spec.cwd, file));
  }
  // `interpreter: node` (common in PM2 files) is this node too: it needs the same TypeScript flags
  const preArgs =
    isTypeScript(path) && file === process.execPath
      ? typeScriptFlags(options.nodeVersion ?? process.versions.node, spec.interpreterArgs)
      : [];
  const endOfOptions = isNodeProgram(file) && spec.args.some((arg) => ENV_FILE_ARG.test(arg)) ? ['--'] : [];
  return {
    file,
    args: [...preArgs, ...spec.interpreterArgs, ...endOfOptions, path, ...spec.args],
    shell: false,
  };
}

/**
 * A script whose interpreter is on no directory of the app's PATH is refused before it starts, as
 * PM2 refuses it (its spawn would fail with ENOENT at each start, leaving an errored app behind). No
 * `;` in the message: `checkCommands` joins the apps of one start with it.
 */
function interpreterNotFound(spec: CommandSpec, path: string, interpreter: string): VelosError {
  const which =
    spec.interpreter === undefined
      ? `interpreter ${interpreter} (of its ${extname(path)} extension) not found on the app's PATH`
      : `interpreter ${interpreter} not found on the app's PATH or in node_modules/.bin`;
  const { message, options } =
    optionMessage`${which} (install it, or give its path: ${optionHint('interpreter', '<path>', { trail: ', ' })}interpreter in a config file)`;
  return new VelosError(ErrorCodes.SPAWN_FAILED, message, { data: { options } });
}

/**
 * An interpreter given by a path (`/usr/bin/python3.13`, `venv/bin/python` from the cwd) that is not
 * there is refused before any start, as one not on PATH is: its spawn would fail at each start.
 */
function interpreterPathNotFound(path: string): VelosError {
  return new VelosError(
    ErrorCodes.SPAWN_FAILED,
    `interpreter ${path} not found (no such file: install it, or give the path of one that is there)`,
  );
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    // one that cannot be looked at is left to the spawn, which says why
    return (
      (error as NodeJS.ErrnoException).code !== 'ENOENT' &&
      (error as NodeJS.ErrnoException).code !== 'ENOTDIR'
    );
  }
}

/** True when `file` is Node: the daemon's own, or a `node`, `nodejs`, `node20`… */
export function isNodeProgram(file: string): boolean {
  return file === process.execPath || /^node(js)?\d*$/.test(basename(file));
}

/**
 * An app argument Node 20 and 24 read as their own `--env-file` (or `--env-file-if-exists`) even
 * after the script, exiting with `not found` when no such file is there (`node app.js --env-file
 * x.env`): a `--` before the script ends Node's options, and the app's argv is the same.
 */
const ENV_FILE_ARG = /^--env-file/;

function interpreterFor(spec: CommandSpec, path: string, options: ResolveCommandOptions): string {
  const ext = extname(path).toLowerCase();
  if (NODE_EXTENSIONS.has(ext)) return process.execPath;
  if (TS_EXTENSIONS.has(ext)) {
    if (hasStripTypes(options.nodeVersion ?? process.versions.node)) return process.execPath;
    // the project's own loader first, as npx runs it (its version is the one the app pins): tsx, else
    // ts-node (a NestJS project's); then one on PATH
    const loader = TS_LOADERS.map((name) => findProjectBin(name, projectDirs(spec, path))).find(Boolean);
    const found = loader ?? TS_LOADERS.map((name) => findOnPath(name, pathOf(spec))).find(Boolean);
    if (found) return found;
    throw new VelosError(
      ErrorCodes.SPAWN_FAILED,
      `Node ${options.nodeVersion ?? process.versions.node} has no built-in TypeScript support for ${path} ` +
        '(it needs Node 22.6 or later) and neither tsx nor ts-node was found in node_modules/.bin or on PATH ' +
        '(install tsx: npm i -D tsx, or set an interpreter)',
    );
  }
  if (BY_EXTENSION[ext]) return BY_EXTENSION[ext];
  // Express's ./bin/www and other extensionless Node entry points: PM2 runs them with node (and in
  // cluster mode when asked), executable or not
  return ext === '' && hasNodeShebang(path) ? process.execPath : 'none';
}

/**
 * The app's own interpreter: a bare name (`tsx`, `ts-node`, `coffee`) not on PATH is looked for in the
 * project's node_modules/.bin, where `npm i -D` puts it; a path or `node`/`none` is kept as given.
 */
function givenInterpreter(spec: CommandSpec, path: string): string {
  const name = spec.interpreter!;
  if (name === 'none' || name === 'node' || name.includes('/')) return name;
  if (findOnPath(name, pathOf(spec)) !== null) return name;
  return findProjectBin(name, projectDirs(spec, path)) ?? name;
}

/** Where a project's node_modules is looked for: from the script's directory up, then from the cwd up. */
function projectDirs(spec: CommandSpec, path: string): string[] {
  return [dirname(path), spec.cwd];
}

function pathOf(spec: CommandSpec): string {
  return spec.env.PATH ?? process.env.PATH ?? '';
}

/** True when the file's first line is a `#!` that runs node: `#!/usr/bin/env node`, `#!/usr/local/bin/node`. */
function hasNodeShebang(path: string): boolean {
  const shebang = readShebang(path);
  return shebang !== null && isNodeProgram(shebangProgram(shebang));
}

function isTypeScript(path: string): boolean {
  return TS_EXTENSIONS.has(extname(path).toLowerCase());
}

function hasStripTypes(version: string): boolean {
  return isAtLeast(version, 22, 6);
}

const TYPES_FLAG = /^--(no-)?experimental-(strip|transform)-types$/;

/**
 * Node's flags for a TypeScript entry point: from Node 22.7 the full transform (enums, namespaces,
 * parameter properties: what type stripping alone refuses with ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX), without
 * the ExperimentalWarning Node would print to the app's stderr at every start; on 22.6 stripping only.
 * None when the app's own interpreter args choose a mode.
 */
function typeScriptFlags(version: string, interpreterArgs: readonly string[]): string[] {
  if (interpreterArgs.some((arg) => TYPES_FLAG.test(arg))) return [];
  return isAtLeast(version, 22, 7)
    ? ['--experimental-transform-types', '--disable-warning=ExperimentalWarning']
    : ['--experimental-strip-types'];
}

function isAtLeast(version: string, wantedMajor: number, wantedMinor: number): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > wantedMajor || (major === wantedMajor && minor >= wantedMinor);
}

/** `word` as one word of a `/bin/sh` command line: single-quoted unless it is plainly one already. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
