import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import type { Connection } from '@velos/client/quick';
import type { AppSpec, LogsResult, ProcessDetail, ProcessInfo, VelosControl } from '@velos/core';
import { appNameProblem, normalizeAppName } from '@velos/core/app-name';
import { resolveAppSpec } from '@velos/core/app-resolve';
import type { OutputMode } from '../context.js';
import { logicalCwd } from '../logical-cwd.js';
import { loadOutput } from '../quick-run.js';
import { isFile } from '../safe-stat.js';
import { spawnFailure } from './start-failures.js';
import { startOrForce } from './start-or-force.js';

/** A `velos start` line simple enough for the binary's small entry (dist/velos-start.cjs). */
export interface QuickStart {
  mode: OutputMode;
  /** The script as given on the command line. */
  arg: string;
  name?: string;
  /** What follows `--`: the app's arguments. */
  rest: string[];
}

// What the full CLI reads as a config file (core's CONFIG_EXTENSIONS) or a PM2 JavaScript process file
const CONFIG_FILE = /\.(json|ya?ml|toml)$/i;
const JS_CONFIG = /(^ecosystem([.-][\w.-]*)?|\.config)\.[cm]?js$/i;

/**
 * Reads `start <script> [--name|-n <name>] [--json|--ai] [-- args…]`, the options in any order; null for
 * any other line (another option, a second argument, help…), which the full CLI then runs: this path
 * only takes lines whose meaning and checks it shares with it, so output and exit codes are the same.
 */
export function parseQuickStart(argv: readonly string[]): QuickStart | null {
  if (argv[0] !== 'start') return null;
  let arg: string | undefined;
  let name: string | undefined;
  let json = false;
  let ai = false;
  let rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (word === '--json') json = true;
    else if (word === '--ai') ai = true;
    else if (word === '--name' || word === '-n') {
      if (name !== undefined || argv[i + 1] === undefined) return null;
      name = argv[++i]!;
    } else if (word.startsWith('--name=')) {
      if (name !== undefined) return null;
      name = word.slice('--name='.length);
    } else if (word.startsWith('-') || arg !== undefined) return null;
    else arg = word;
  }
  if (arg === undefined || (json && ai)) return null;
  // the app schema's name check and spelling (NFC); a refused name is reported by the full CLI
  if (name !== undefined) name = normalizeAppName(name);
  if (name !== undefined && appNameProblem(name) !== null) return null;
  if (CONFIG_FILE.test(extname(arg)) || JS_CONFIG.test(basename(arg))) return null;
  return { mode: json ? 'json' : ai ? 'ai' : 'text', arg, ...(name === undefined ? {} : { name }), rest };
}

/** Where the start runs: the shell's cwd and environment, and the CPU count (as `StartEnvironment`). */
export interface QuickStartPlace {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cpuCount: number;
}

/** This process's cwd (as the shell names it, unless `arg` goes up: `logicalCwd`), environment and CPU count. */
export function currentPlace(arg?: string): QuickStartPlace {
  return { cwd: logicalCwd(process.env, [arg]), env: process.env, cpuCount: availableParallelism() };
}

/**
 * The app of a quick start line, as `velos start` would build it, or null when the full CLI must decide:
 * the script is not a regular file here, or `$VELOS_HOME/config.toml` exists (its `[defaults]` apply).
 */
export function quickStartSpec(quick: QuickStart, home: string, where: QuickStartPlace): AppSpec | null {
  const script = resolve(where.cwd, quick.arg);
  if (!isFile(script)) return null;
  if (statSync(join(home, 'config.toml'), { throwIfNoEntry: false }) !== undefined) return null;
  const baseEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(where.env)) if (value !== undefined) baseEnv[key] = value;
  try {
    return resolveAppSpec(
      {
        script,
        ...(quick.name === undefined ? {} : { name: quick.name }),
        ...(quick.rest.length > 0 ? { args: quick.rest } : {}),
      },
      { baseDir: where.cwd, baseEnv, cpuCount: where.cpuCount },
    );
  } catch {
    return null; // the full CLI reports it
  }
}

/** Starts the app and prints the process list, as `velos start` does, over one daemon connection. */
export async function runQuickStart(connection: Connection, mode: OutputMode, spec: AppSpec): Promise<void> {
  // the commands `start` sends, with the payloads and results of PROTOCOL_COMMANDS (core)
  const processes = async (cmd: string, payload: object) =>
    ((await connection.request(cmd, payload)) as { processes: ProcessInfo[] }).processes;
  const control: Pick<VelosControl, 'start' | 'scale' | 'describe' | 'logs'> = {
    start: (apps) => processes('start', { apps }),
    scale: (name, instances) => processes('scale', { name, instances }),
    describe: async (target) =>
      ((await connection.request('describe', { target })) as { processes: ProcessDetail[] }).processes,
    logs: async (request) => ((await connection.request('logs', request)) as LogsResult).lines,
  };
  // the printing code loads while the daemon starts the app
  const [output] = await Promise.all([loadOutput(), startOrForce(control, [spec], false)]);
  const listed = await processes('list', {});
  await output.printProcessList(mode, listed, { names: new Set([spec.name]) });
  const failure = await spawnFailure(control, listed, new Set([spec.name]));
  if (failure) throw failure;
}
