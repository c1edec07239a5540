import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';

/** A live process seen in /proc. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  state: string;
  /** When it started, in clock ticks since boot: a pid and its start time name one process. */
  startTicks: number;
  cmdline: string[];
  environ: string[];
}

/**
 * True when a process with this pid exists and is not a zombie. A leader thread that is a zombie while
 * another of its threads still runs is alive: a process that dies of V8's fatal OOM dumps core from the
 * thread that failed after the main thread ended, and keeps its files (its socket) open until then.
 */
export function isAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  const entry = readProc(pid);
  if (entry === null || entry.state === 'X') return false;
  return entry.state !== 'Z' || hasLiveThread(pid);
}

function hasLiveThread(pid: number): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  });
}

/** Every live process in /proc (zombies excluded). */
export function listProcs(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProc(Number(name));
    if (entry && entry.state !== 'Z' && entry.state !== 'X') out.push(entry);
  }
  return out;
}

/**
 * Live processes tied to a home: their cmdline or environment mentions it, or their cwd is inside it.
 * The test process and its ancestors are never included.
 */
export function homeProcesses(home: string): ProcEntry[] {
  const protectedPids = ancestorsOfSelf();
  return listProcs().filter((p) => !protectedPids.has(p.pid) && mentionsHome(p, home));
}

/** Pids of every live descendant of `root` (children, their children, …) by the ppid chain. */
export function descendantsOf(root: number, procs: ProcEntry[] = listProcs()): number[] {
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Sends SIGKILL to one pid (never this test process), ignoring a process that is already gone. A pid
 * whose process carries another vitest worker's `VITEST_POOL_ID` is left alone: the process that had
 * it is gone and the pid now names a process of a test running beside this one (a full run starts more
 * processes than Linux has pids, so they are reused within minutes).
 */
export function killPid(pid: number | null | undefined): void {
  if (!pid || pid === process.pid || isOtherWorkers(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * SIGKILLs a child this process spawned, unless it already exited. Its pid is safe to signal until then:
 * Node sets `exitCode` or `signalCode` in the same step that reaps it, and Linux gives no other process
 * the pid before that. A bare `killPid(child.pid)` after the exit could kill whatever got the pid since.
 */
export function killChild(
  child: Pick<ChildProcess, 'pid' | 'exitCode' | 'signalCode'> | null | undefined,
): void {
  if (child && child.exitCode === null && child.signalCode === null) killPid(child.pid);
}

/** True when the process has another vitest worker's `VITEST_POOL_ID` in its environment. */
function isOtherWorkers(pid: number): boolean {
  const own = process.env.VITEST_POOL_ID;
  if (own === undefined) return false;
  const entry = readNulSeparated(`/proc/${pid}/environ`).find((v) => v.startsWith('VITEST_POOL_ID='));
  return entry !== undefined && entry !== `VITEST_POOL_ID=${own}`;
}

/** The start time of a live process (clock ticks since boot, `/proc/<pid>/stat` field 22); null when none has the pid. */
export function startTicksOf(pid: number): number | null {
  const entry = readProc(pid);
  return entry && entry.state !== 'Z' && entry.state !== 'X' ? entry.startTicks : null;
}

/**
 * The processes a test saw, each by its pid and start time, so that a teardown kills those still running
 * and never a later process that got one of their pids.
 */
export class SeenProcesses {
  readonly #startTicks = new Map<number, number>();

  /** Records a live process (in place of an ended one that had its pid); a pid that names no live process now is not recorded. */
  add(pid: number | null | undefined): void {
    const ticks = pid ? startTicksOf(pid) : null;
    if (pid && ticks !== null) this.#startTicks.set(pid, ticks);
  }

  /** The recorded processes still running (the same pid with the same start time). */
  alive(): number[] {
    return [...this.#startTicks].filter(([pid, ticks]) => startTicksOf(pid) === ticks).map(([pid]) => pid);
  }

  /** SIGKILLs, by pid, the recorded processes still running (with their descendants when told), then forgets them all. */
  killAll(options: { withDescendants?: boolean } = {}): void {
    for (const pid of this.alive()) {
      if (options.withDescendants) killTree(pid);
      else killPid(pid);
    }
    this.#startTicks.clear();
  }
}

/** SIGKILLs a process and every descendant, by pid (the descendants are listed before the kill). */
export function killTree(pid: number | null | undefined): void {
  if (!pid) return;
  for (const target of [pid, ...descendantsOf(pid)]) killPid(target);
}

/** Pids of live processes whose environment holds `key=value` exactly (e.g. `VELOS_HOME=/tmp/velos-x`). */
export function pidsWithEnv(key: string, value: string): number[] {
  const entry = `${key}=${value}`;
  const self = ancestorsOfSelf();
  return listProcs()
    .filter((p) => !self.has(p.pid) && p.environ.includes(entry))
    .map((p) => p.pid);
}

/**
 * True when a process belongs to a home: its cmdline or environment names it, or its cwd is inside it.
 * Never for a `home` that cannot be one (see `isHomePath`): `''` or `/tmp` would name every process.
 */
export function mentionsHome(p: ProcEntry, home: string): boolean {
  if (!isHomePath(home)) return false;
  if (p.cmdline.some((arg) => containsPath(arg, home)) || p.environ.some((v) => containsPath(v, home)))
    return true;
  try {
    const cwd = readlinkSync(`/proc/${p.pid}/cwd`);
    return cwd === home || cwd.startsWith(`${home}/`);
  } catch {
    return false;
  }
}

/** True when `text` contains `path` as a whole path (not as the prefix of a longer name). */
function containsPath(text: string, path: string): boolean {
  for (let i = text.indexOf(path); i !== -1; i = text.indexOf(path, i + 1)) {
    const next = text[i + path.length];
    if (next === undefined || !/[A-Za-z0-9_.-]/.test(next)) return true;
  }
  return false;
}

function readProc(pid: number): ProcEntry | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1] ?? 0),
    startTicks: Number(fields[19] ?? 0),
    cmdline: readNulSeparated(`/proc/${pid}/cmdline`),
    environ: readNulSeparated(`/proc/${pid}/environ`),
  };
}

function readNulSeparated(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** The test process and its ancestors: never to be killed. */
export function ancestorsOfSelf(): Set<number> {
  const out = new Set<number>([process.pid]);
  for (let pid = process.ppid; pid > 1 && !out.has(pid); ) {
    out.add(pid);
    pid = readProc(pid)?.ppid ?? 0;
  }
  return out;
}

/**
 * Whether `home` can name a test's home: an absolute path at least two levels deep (`/tmp/velos-x`).
 * The scans match processes by path, and a teardown whose setup failed before it made its home passes
 * what it had (`let home = ''`): an empty or top-level path would match every process on the machine
 * (every cwd starts with `/`), and `stopHome` would kill them all.
 */
export function isHomePath(home: string): boolean {
  return isAbsolute(home) && normalize(home).split('/').filter(Boolean).length >= 2;
}
