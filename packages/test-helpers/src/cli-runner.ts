import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { assertHomeOpen, trackHomeChild } from './home-guard.js';
import { REPO_ROOT, VELOS_BIN } from './paths.js';
import { killPid } from './proc.js';

/** What a finished program produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Options of one run of a Node.js program. */
export interface RunNodeOptions {
  /** The whole environment of the program (this process's when absent). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to its stdin, which is then closed (it is closed at once otherwise). */
  input?: string;
  /** Killed (SIGKILL by PID) and the promise rejected after this long; 30 s unless told. */
  timeoutMs?: number;
  uid?: number;
  gid?: number;
  /** The Node binary to run the file with; this process's (`process.execPath`) unless told. */
  node?: string;
}

/** Options of one `velos` call. */
export interface CliOptions {
  home: string;
  /** Added to this process's environment (VELOS_HOME is always the home). */
  env?: Record<string, string | undefined>;
  input?: string;
  /** The repository root unless told. */
  cwd?: string;
  timeoutMs?: number;
}

const spawned = new Set<ChildProcess>();

/**
 * Spawns `node <file> …args` with piped stdio, tracked until it exits (see `killSpawned`); throws
 * `HOME_CLOSED` when its VELOS_HOME is a home whose teardown has begun (`closeHome`).
 */
export function spawnNode(
  file: string,
  args: string[],
  options: Omit<RunNodeOptions, 'input' | 'timeoutMs'> = {},
) {
  const env = options.env ?? process.env;
  const home = env.VELOS_HOME;
  if (home) assertHomeOpen(home, `run ${file} ${args.join(' ')}`.trimEnd());
  const spawnOptions: SpawnOptions = { cwd: options.cwd ?? REPO_ROOT, env };
  if (options.uid !== undefined) spawnOptions.uid = options.uid;
  if (options.gid !== undefined) spawnOptions.gid = options.gid;
  const child = spawn(options.node ?? process.execPath, [file, ...args], {
    ...spawnOptions,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  spawned.add(child);
  child.on('exit', () => spawned.delete(child));
  if (home) trackHomeChild(child, home);
  return child;
}

/** Runs `node <file> …args` to its end and captures stdout, stderr and the exit; never throws on a non-zero exit. */
export function runNode(file: string, args: string[], options: RunNodeOptions = {}): Promise<CliResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawnNode(file, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      killPid(child.pid);
      reject(new Error(`${file} ${args.join(' ')} timed out after ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // A daemon that kept the program's pipes open would stop 'close' from firing: bound the wait.
      const grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, 2000);
      let isDone = false;
      const finish = () => {
        if (isDone) return;
        isDone = true;
        clearTimeout(grace);
        resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
      };
      child.on('close', finish);
      if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false) finish();
    });
    child.stdin?.on('error', () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs the built `velos` with VELOS_HOME set; never throws on a non-zero exit (rejects with `HOME_CLOSED` on a closed home). */
export function runVelos(args: string[], options: CliOptions): Promise<CliResult> {
  return runNode(VELOS_BIN, args, velosRunOptions(options));
}

/** Spawns the built `velos` without waiting (for `logs --follow`); `killSpawned` stops it by PID; throws `HOME_CLOSED` on a closed home. */
export function spawnVelos(args: string[], options: CliOptions): ChildProcess {
  return spawnNode(VELOS_BIN, args, velosRunOptions(options));
}

/** Runs `velos` and fails with its stderr unless it exits 0. */
export async function runVelosOk(args: string[], options: CliOptions): Promise<CliResult> {
  const result = await runVelos(args, options);
  if (result.code !== 0) {
    throw new Error(
      `velos ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout}`,
    );
  }
  return result;
}

/** SIGKILLs, by PID, every program this module spawned that is still running. */
export function killSpawned(): void {
  for (const child of spawned) killPid(child.pid);
  spawned.clear();
}

function velosRunOptions(options: CliOptions): RunNodeOptions {
  const run: RunNodeOptions = {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env, VELOS_HOME: options.home },
  };
  if (options.input !== undefined) run.input = options.input;
  if (options.timeoutMs !== undefined) run.timeoutMs = options.timeoutMs;
  return run;
}
