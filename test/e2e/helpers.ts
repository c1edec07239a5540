import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient, type VelosClient } from '@velos/client';
import { maskSecrets, type ProcessInfo, type VelosEvent } from '@velos/core';
import { resolveAppSpec } from '@velos/core/app-resolve';
import {
  assertHomeOpen,
  type CliOptions,
  type CliResult,
  closeHome,
  isAlive,
  killSpawned,
  makeTempHome,
  REPO_ROOT,
  readPidFile,
  removeTempHome,
  runVelosOk,
  type Truthy,
  waitFor as waitForTruthy,
} from '@velos/test-helpers';
import { afterAll, beforeAll } from 'vitest';

export {
  FIXTURES,
  /** Codes of the harness's own errors (`HOME_CLOSED`: a start on a home whose teardown has begun). */
  HARNESS_ERROR_CODES,
  REPO_ROOT,
  rssFallenToMb,
  rssMb,
  /** Runs `node <file> …args` to its end (the fuzz suites put a node flag first: `node <flag> <script> …`). */
  runNode,
  /** Runs `node apps/cli/bin/velos.js …args` with VELOS_HOME set; never throws on a non-zero exit. */
  runVelos as velos,
  /** Runs the CLI and fails with its stderr unless it exits 0. */
  runVelosOk as velosOk,
  settledRssMb,
  /** Spawns `node <file> …args`, killed by PID in `cleanupHomes` if still running. */
  spawnNode,
  /** Spawns the CLI without waiting (for `logs --follow`); the process is killed by PID in `cleanupHomes`. */
  spawnVelos,
  /** Remembers a program a test started on a home (see `homeEnv`) for the home's teardown to kill by PID. */
  trackHomeChild,
  VELOS_BIN,
} from '@velos/test-helpers';
export {
  descendantsOf,
  homeProcesses,
  isAlive,
  killChild,
  killPid,
  listProcs,
  type ProcEntry,
  SeenProcesses,
} from './proc.js';
export { type CliOptions, type CliResult, readPidFile, type Truthy };

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

/** Creates a fresh temporary VELOS_HOME (0700, empty), registered for `cleanupHomes`. */
export function createHome(): string {
  return registerHome(makeTempHome('velos-e2e-').path);
}

/**
 * One home (and the daemon its first command starts) for the tests of the enclosing describe block,
 * created before them and cleaned after the last: for tests that each leave it as they found it (and
 * assert so), so that they need not start a daemon each. Call it at the top of the block.
 */
export function sharedHome(): () => string {
  let home: string | undefined;
  beforeAll(() => {
    home = makeTempHome('velos-e2e-').path;
  });
  afterAll(async () => {
    if (home !== undefined) await cleanupHome(home);
  });
  return () => {
    if (home === undefined) throw new Error('sharedHome() is read inside a test, after beforeAll');
    return home;
  };
}

/**
 * The environment of a program a test starts by itself (a shell, `script`, tmux, a raw spawn) that runs
 * velos on `home`: this process's, VELOS_HOME set, `env` over it. Throws `HOME_CLOSED` once the home's
 * teardown has begun, as the helpers' own starts do, so that a test body that outlived its timeout starts
 * no daemon in a home already cleaned (pass an async child to `trackHomeChild` so teardown kills it).
 */
export function homeEnv(home: string, env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  assertHomeOpen(home, 'start a program on it');
  return { ...process.env, VELOS_HOME: home, ...env };
}

/** Registers a home that a test derived itself (e.g. a not-yet-existing subdirectory) for cleanup. */
export function registerHome(home: string): string {
  homes.push(home);
  return home;
}

/**
 * Cleans every home created in this test file so far (newest first); use in afterEach. The homes are
 * closed first: a test body still running after its timeout can start no CLI or daemon on them.
 */
export async function cleanupHomes(): Promise<void> {
  const pending = homes.splice(0).reverse();
  for (const home of pending) closeHome(home);
  killSpawned();
  for (const home of pending) await cleanupHome(home);
}

/** `velos list --json`, parsed. */
export async function listJson(home: string): Promise<ListRow[]> {
  const result = await runVelosOk(['list', '--json'], { home });
  return JSON.parse(result.stdout) as ListRow[];
}

/** `velos describe <target> --json`, parsed. */
export async function describeJson(home: string, target: string): Promise<DetailRow[]> {
  const result = await runVelosOk(['describe', target, '--json'], { home });
  return JSON.parse(result.stdout) as DetailRow[];
}

/**
 * The daemon's process list over its socket (one short @velos/client connection, no CLI process): what
 * `velos list --json` prints, for polling state where the CLI's output is not what a test checks. When
 * no daemon answers it runs `velos list --json` instead, which starts one as before.
 */
export async function listState(home: string): Promise<ListRow[]> {
  if (!existsSync(join(home, 'velos.sock'))) return listJson(home);
  const client = createClient({ home, autoStart: false, timeoutMs: 10_000 });
  let rows: unknown;
  try {
    rows = await client.list();
  } catch {
    return listJson(home);
  } finally {
    await client.close().catch(() => undefined);
  }
  // The CLI prints JSON: the same round trip drops undefined fields as it does.
  return JSON.parse(JSON.stringify(rows)) as ListRow[];
}

/**
 * The daemon's details of `target` over its socket, as `velos describe <target> --json` prints them
 * (secrets masked): for tests of the state a command left, where the CLI's output is not under test.
 */
export async function describeState(home: string, target: string): Promise<DetailRow[]> {
  const client = createClient({ home, autoStart: false, timeoutMs: 10_000 });
  try {
    // The CLI prints JSON: the same round trip drops undefined fields as it does.
    return JSON.parse(JSON.stringify(maskSecrets(await client.describe(target)))) as DetailRow[];
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The rows of the app with this name, from `listState` (the daemon's list, over its socket). */
export async function rowsNamed(home: string, name: string): Promise<ListRow[]> {
  return (await listState(home)).filter((row) => row.name === name);
}

/** Waits until `name` has exactly `count` processes, all online with a pid; resolves with their rows. */
export function onlineRows(home: string, name: string, count: number): Promise<ListRow[]> {
  return waitFor(
    async () => {
      const rows = await rowsNamed(home, name);
      return rows.length === count && rows.every((row) => row.status === 'online' && row.pid)
        ? rows
        : undefined;
    },
    { message: `${count} online instances of ${name}` },
  );
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

/**
 * Waits until `name` is online and the monitor has sampled it (memory above 0): before that its `--ai`
 * row has no `c` or `m` (docs/ai-output.md).
 */
export function waitForSampled(home: string, name: string): Promise<ListRow> {
  return waitFor(
    async () => {
      const rows = await rowsNamed(home, name);
      return rows.length === 1 && rows[0]?.status === 'online' && rows[0].memory > 0 ? rows[0] : undefined;
    },
    { message: `${name} online and sampled` },
  );
}

/**
 * Polls `fn` until it returns a truthy value (and does not throw) or the deadline passes (20 s unless
 * told); the error on timeout carries the last value or error seen. Unless `intervalMs` is given the
 * pause adapts to the check: 50 ms after a cheap one (a file, /proc, the daemon's socket), 200 ms after
 * one that took 100 ms or more (a CLI process), so polling the CLI does not keep a core busy. A
 * `message` function is read only on timeout (to show what a stream printed by then).
 */
export function waitFor<T>(
  fn: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string | (() => string) } = {},
): Promise<Truthy<T>> {
  if (options.intervalMs !== undefined) return waitForTruthy(fn, options);
  let pauseMs = 0;
  const paced = async (): Promise<T> => {
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const started = Date.now();
    try {
      return await fn();
    } finally {
      pauseMs = Date.now() - started >= SLOW_CHECK_MS ? SLOW_POLL_MS : CHEAP_POLL_MS;
    }
  };
  return waitForTruthy(paced, { ...options, intervalMs: 0 });
}

/** A check that took this long (a CLI process) is followed by the longer pause. */
const SLOW_CHECK_MS = 100;
const SLOW_POLL_MS = 200;
const CHEAP_POLL_MS = 50;

/**
 * Waits until the daemon's live table (`run/live.json`, written 50 ms after a change) lists `name`: a test
 * that kills or crashes the daemon must wait for it, or the next daemon has no record to re-adopt the app
 * into (state is polled fast enough to get there before the write).
 */
export async function waitForLiveTable(home: string, name: string): Promise<void> {
  await waitFor(
    () =>
      readLines(join(home, 'run', 'live.json'))
        .join('')
        .includes(JSON.stringify(name)),
    {
      message: `the live table to list ${name}`,
    },
  );
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

/**
 * Stops everything a home started: closes it (`closeHome`: from now on the helpers refuse to start a CLI
 * or daemon on it, and kill by PID those they started that still run), sends the daemon's `kill` over its
 * socket (what `velos kill` sends, without a CLI process; bounded), then — whatever happened — SIGKILLs by
 * PID the daemon, its descendants and every process that mentions the home; then removes the directory.
 */
export async function cleanupHome(home: string): Promise<void> {
  closeHome(home);
  if (existsSync(join(home, 'velos.sock'))) await killDaemon(home).catch(() => undefined);
  await removeTempHome(home, { timeoutMs: 10_000 });
}

/** Asks the home's daemon to stop its apps and end (`velos kill`, without a CLI process), and waits up to 20 s for it to exit. */
export async function killDaemon(home: string): Promise<void> {
  const client = createClient({ home, autoStart: false, timeoutMs: 20_000 });
  try {
    const { pid } = await client.ping();
    await client.kill();
    await client.close();
    await waitForTruthy(() => !isAlive(pid), { what: `the daemon of ${home} to exit`, timeoutMs: 20_000 });
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * Runs `use` with a client of the home's running daemon (no CLI process, and no daemon started for
 * it): state read or set up over its socket where the CLI's own output is not what a test checks.
 */
export async function withClient<T>(home: string, use: (client: VelosClient) => Promise<T>): Promise<T> {
  const client = createClient({ home, autoStart: false, timeoutMs: 20_000 });
  try {
    return await use(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Deletes apps over the daemon's socket: a test of a home the tests share ends its apps (and their restart loops). */
export function deleteApps(home: string, names: string[]): Promise<void> {
  return withClient(home, async (client) => {
    for (const name of names) await client.delete(name);
  });
}

/**
 * Deletes every app of a home the tests share, when its daemon runs: a test's setup, so that a test
 * that failed before its own teardown does not fail the next ones.
 */
export async function clearApps(home: string): Promise<void> {
  if (!existsSync(join(home, 'velos.sock'))) return;
  await withClient(home, async (client) => {
    const names = new Set((await client.list()).map((row) => row.name));
    for (const name of names) await client.delete(name);
  });
}

/**
 * Starts the home's daemon unless one answers (`velos ping`, one CLI run): the setup of a block of tests
 * on a home they share that set up over the socket, so that each also runs alone (`-t`).
 */
export async function ensureDaemon(home: string): Promise<void> {
  if (existsSync(join(home, 'velos.sock'))) {
    const isUp = await withClient(home, (client) => client.ping()).then(
      () => true,
      () => false,
    );
    if (isUp) return;
  }
  await runVelosOk(['ping'], { home });
}

/**
 * Removes every alert rule of a home the tests share (runtime and file rules alike), when its daemon
 * runs: a test's setup, so that one that reads every rule sees only those it added.
 */
export async function clearAlerts(home: string): Promise<void> {
  if (!existsSync(join(home, 'velos.sock'))) return;
  await withClient(home, async (client) => {
    for (const alert of await client.alerts()) await client.removeAlert(alert.rule.name);
  });
}

/** The events of `kinds` on the home's bus (the newest 1000), through @velos/client (no daemon is started for it). */
export async function busEvents(home: string, kinds: string[]): Promise<VelosEvent[]> {
  const client = createClient({ home, autoStart: false });
  try {
    return (await client.events({ kinds, limit: 1000 })).events;
  } finally {
    await client.close();
  }
}

/** One app for `startApps`: a config entry as a process file names it (`script` relative to the repository). */
export type AppEntry = Parameters<typeof resolveAppSpec>[0];

/**
 * Starts apps over the daemon's socket, built as `velos start <script> --name …` builds them from the
 * repository's directory and this process's environment (VELOS_HOME set, so the home's teardown finds
 * them): set-up where the CLI's `start` is not what a test checks (a CLI run costs 130–200 ms of CPU).
 * Starts the daemon first (`velos ping`) when none runs. Resolves with the processes the daemon started.
 */
export async function startApps(
  home: string,
  apps: AppEntry[],
  env: Record<string, string> = {},
): Promise<ProcessInfo[]> {
  assertHomeOpen(home, 'start apps on it');
  // no daemon yet (a shared home's first test): `velos ping` starts it, as the CLI's start would
  if (!existsSync(join(home, 'velos.sock'))) await runVelosOk(['ping'], { home });
  const baseEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) baseEnv[key] = value;
  Object.assign(baseEnv, { VELOS_HOME: home }, env);
  const context = { baseDir: REPO_ROOT, baseEnv, cpuCount: availableParallelism() };
  const specs = apps.map((app) =>
    resolveAppSpec({ ...app, script: resolve(REPO_ROOT, app.script) }, context),
  );
  return withClient(home, (client) => client.start(specs));
}
