import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import {
  FIXTURES,
  isAlive,
  makeTempHome,
  SERVER_BIN,
  type SeenProcesses,
  waitFor as waitForTruthy,
} from '@velos/test-helpers';

export { FIXTURES, isAlive, REPO_ROOT, SERVER_BIN, VELOS_BIN } from '@velos/test-helpers';

/** A `velos-server` the test started, with what it printed so far. */
export interface ServerProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once it exited. */
  exited: Promise<number | string>;
}

const started: ChildProcess[] = [];
const homes: string[] = [];

/** A fresh temporary directory (0700), removed in `cleanup`. */
export function tempDir(prefix = 'velos-server-'): string {
  const dir = makeTempHome(prefix).path;
  homes.push(dir);
  return dir;
}

/** Spawns `node velos-server.js …args` (cwd: the fixtures); killed by PID in `cleanup` if still running. */
export function spawnServer(args: string[], env: Record<string, string> = {}): ServerProcess {
  const child = spawn(process.execPath, [SERVER_BIN, ...args], {
    cwd: FIXTURES,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit(code ?? signal ?? -1)),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The first JSON line the server printed on stdout (`--json`), waited for. */
export async function firstJsonLine<T>(server: ServerProcess, timeoutMs = 30_000): Promise<T> {
  const line = await waitFor(
    () =>
      server
        .stdout()
        .split('\n')
        .find((l) => l.startsWith('{')),
    {
      timeoutMs,
      message: () => `a JSON line on stdout; stderr: ${server.stderr()}`,
    },
  );
  return JSON.parse(line) as T;
}

/** The admin token of a tokens file (`admin <token>` line). */
export function adminToken(tokenFile: string): string {
  const line = readFileSync(tokenFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('admin '));
  if (!line) throw new Error(`no admin line in ${tokenFile}`);
  return line.slice('admin '.length).trim();
}

/** Pids of the live processes whose working directory is `dir` (how a test finds the apps it gave that cwd). */
export function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === dir && isAlive(pid);
      } catch {
        return false;
      }
    });
}

/** Polls `fn` until it returns something truthy or the deadline passes (20 s, every 100 ms unless told). */
export function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: { timeoutMs?: number; message?: string | (() => string) } = {},
): Promise<T> {
  return waitForTruthy(fn, { intervalMs: 100, ...options }) as Promise<T>;
}

/** Kills every server still running and every process given (by PID, while each still runs), then removes the temporary directories. */
export function cleanup(seen?: SeenProcesses): void {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  seen?.killAll();
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
}
