import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ancestorsOfSelf, descendantsOf, killPid, listProcs, mentionsHome } from './proc.js';

export { descendantsOf, homeProcesses, isAlive, killPid, listProcs, type ProcEntry } from './proc.js';

/** Root of the monorepo; the CLI runs with this as its default cwd. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The fixture programs the tests supervise. */
export const FIXTURES = join(REPO_ROOT, 'fixtures');
/** The `velos` binary under test. */
export const VELOS_BIN = join(REPO_ROOT, 'apps/cli/bin/velos.js');

/** What a finished CLI call produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Options of one CLI call. */
export interface CliOptions {
  home: string;
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

/** One row of `velos list --json` (the fields of ProcessInfo in @velos/core that these tests read). */
export interface ListRow {
  id: number;
  name: string;
  pid: number | null;
  status: string;
  restarts: number;
  cpu: number;
  memory: number;
  uptime: number;
  exitCode?: number | null;
  signal?: string | null;
  lastExitReason?: string | null;
}

/** One element of `velos describe --json` (the fields of ProcessDetail that these tests read). */
export interface DetailRow extends ListRow {
  spec: Record<string, unknown> & { script: string; envKeys: string[] };
  command: { file: string; args: string[]; shell: boolean };
  outLogPath: string;
  errLogPath: string;
  exitCode: number | null;
  signal: string | null;
  cpuPeak: number;
  memoryPeak: number;
  logLines: { out: number; err: number };
}

const homes: string[] = [];
const spawned = new Set<ChildProcess>();

/** Creates a fresh temporary VELOS_HOME (0700, empty), registered for `cleanupHomes`. */
export function createHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'velos-e2e-'));
  homes.push(home);
  return home;
}

/** Registers a home that a test derived itself (e.g. a not-yet-existing subdirectory) for cleanup. */
export function registerHome(home: string): string {
  homes.push(home);
  return home;
}

/** Cleans every home created in this test file so far (newest first); use in afterEach. */
export async function cleanupHomes(): Promise<void> {
  for (const child of spawned) killPid(child.pid);
  spawned.clear();
  const pending = homes.splice(0).reverse();
  for (const home of pending) await cleanupHome(home);
}

/** Runs `node apps/cli/bin/velos.js …args` with VELOS_HOME set; never throws on a non-zero exit. */
export function velos(args: string[], options: CliOptions): Promise<CliResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawnVelos(args, options);
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
      reject(new Error(`velos ${args.join(' ')} timed out after ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // A daemon that kept the CLI's pipes open would stop 'close' from firing: bound the wait.
      const grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, 2000);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(grace);
        spawned.delete(child);
        resolvePromise({ code, signal, stdout, stderr, durationMs: Date.now() - started });
      };
      child.on('close', finish);
      if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false) finish();
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Spawns the CLI without waiting (for `logs --follow`); the process is killed by PID in `cleanupHomes`. */
export function spawnVelos(args: string[], options: CliOptions): ChildProcess {
  const child = spawn(process.execPath, [VELOS_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env, VELOS_HOME: options.home },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  spawned.add(child);
  child.on('exit', () => spawned.delete(child));
  return child;
}

/** Runs the CLI and fails with its stderr unless it exits 0. */
export async function velosOk(args: string[], options: CliOptions): Promise<CliResult> {
  const result = await velos(args, options);
  if (result.code !== 0) {
    throw new Error(
      `velos ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout}`,
    );
  }
  return result;
}

/** `velos list --json`, parsed. */
export async function listJson(home: string): Promise<ListRow[]> {
  const result = await velosOk(['list', '--json'], { home });
  return JSON.parse(result.stdout) as ListRow[];
}

/** `velos describe <target> --json`, parsed. */
export async function describeJson(home: string, target: string): Promise<DetailRow[]> {
  const result = await velosOk(['describe', target, '--json'], { home });
  return JSON.parse(result.stdout) as DetailRow[];
}

/** The rows of `velos list --json` with this name. */
export async function rowsNamed(home: string, name: string): Promise<ListRow[]> {
  return (await listJson(home)).filter((row) => row.name === name);
}

/** Waits until the app's (first) process has exited and is no longer online. */
export async function waitExited(home: string, name: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const row = (await rowsNamed(home, name))[0];
      return row !== undefined && row.pid === null && row.status !== 'online';
    },
    { timeoutMs, message: `${name} to exit` },
  );
}

/** The integers from `from` to `to`, both included. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Waits until exactly one app with this name is in `status` and returns its row. */
export function waitForStatus(
  home: string,
  name: string,
  status: string,
  timeoutMs = 20_000,
): Promise<ListRow> {
  return waitFor(
    async () => {
      const rows = await rowsNamed(home, name);
      return rows.length === 1 && rows[0]?.status === status ? rows[0] : undefined;
    },
    { timeoutMs, message: `${name} to be ${status}` },
  );
}

/** A value that `waitFor` accepts as done. */
export type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

/**
 * Polls `fn` until it returns a truthy value (and does not throw) or the deadline passes.
 * The error on timeout carries the last value or error seen.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<Truthy<T>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false && value !== 0 && value !== '') {
        return value as Truthy<T>;
      }
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.message ?? 'a condition'}; last: ${detail}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Reads a file's lines (without the empty string after a final newline); [] if it is missing. */
export function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Path of an app's captured stdout log in a home. */
export function outLog(home: string, name: string): string {
  return join(home, 'logs', `${name}-out.log`);
}

/** Path of an app's captured stderr log in a home. */
export function errLog(home: string, name: string): string {
  return join(home, 'logs', `${name}-err.log`);
}

/** The daemon pid recorded in velos.pid, or null. */
export function readPidFile(home: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(home, 'velos.pid'), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Stops everything a home started: `velos kill` (bounded), then — whatever happened — SIGKILL by PID
 * of the daemon, its descendants and every process that mentions the home; then removes the directory.
 */
export async function cleanupHome(home: string): Promise<void> {
  if (existsSync(join(home, 'velos.pid')) || existsSync(join(home, 'velos.sock'))) {
    await velos(['kill'], { home, timeoutMs: 20_000 }).catch(() => undefined);
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    const protectedPids = ancestorsOfSelf();
    const procs = listProcs();
    const targets = new Set<number>();
    const daemonPid = readPidFile(home);
    const daemon = procs.find((p) => p.pid === daemonPid);
    // The pid file may be stale and its pid reused: only trust it when that process belongs to this home.
    if (daemon && mentionsHome(daemon, home)) {
      targets.add(daemon.pid);
      for (const pid of descendantsOf(daemon.pid, procs)) targets.add(pid);
    }
    for (const p of procs) if (mentionsHome(p, home)) targets.add(p.pid);
    for (const pid of protectedPids) targets.delete(pid);
    if (targets.size === 0 || Date.now() > deadline) break;
    if (daemon && targets.has(daemon.pid)) killPid(daemon.pid);
    for (const pid of targets) killPid(pid);
    await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(home, { recursive: true, force: true });
}
