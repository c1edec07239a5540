import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import type { ProcessRecord, ProcessRun } from './process-record.js';
import { resolveCommand } from './resolve-command.js';
import { stopTree } from './tree-stop.js';

/** What the runner reports back to the supervisor. */
export interface RunnerHooks {
  /** A process has a pid and runs. */
  onOnline(record: ProcessRecord): void;
  /** The process of a run exited (not called for spawn errors). */
  onExit(record: ProcessRecord, exitCode: number | null, signal: string | null): void;
  /** Processes left in the group of a run that exited by itself are gone (see `record.leftovers`). */
  onLeftoversGone(record: ProcessRecord): void;
  /** The daemon's own log. */
  log(line: string): void;
}

let spawnCounter = 0;

/**
 * Starts one run of a process: resolves its command, spawns it detached (leading its own process
 * group) with piped stdout/stderr into its log pipeline. A spawn error leaves it `errored` with
 * reason `spawn-error` and a note in its err log.
 */
export function spawnRecord(record: ProcessRecord, hooks: RunnerHooks): void {
  const spec = record.app.spec;
  record.status = 'starting';
  record.restartAt = null;
  let command: ReturnType<typeof resolveCommand>;
  let child: ChildProcess;
  try {
    if (!isDirectory(spec.cwd)) throw new Error(`the working directory ${spec.cwd} does not exist`);
    command = resolveCommand(spec);
    child = spawn(command.file, command.args, {
      cwd: spec.cwd,
      env: {
        ...spec.env,
        VELOS_ID: String(record.id),
        VELOS_NAME: spec.name,
        VELOS_INSTANCE: String(record.instance),
        NODE_APP_INSTANCE: String(record.instance),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (error) {
    markSpawnFailed(record);
    noteSpawnError(record, hooks, error instanceof Error ? error.message : String(error));
    return;
  }
  if (child.pid === undefined) {
    // the reason (ENOENT, EACCES…) only arrives with the 'error' event, after this turn
    markSpawnFailed(record);
    child.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ENOENT' ? 'not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
      noteSpawnError(record, hooks, `cannot start ${command.file}: ${why} (${error.code ?? 'error'})`);
    });
    return;
  }
  const pid = child.pid;
  let hasExited = false;
  let markExited!: () => void;
  const run: ProcessRun = {
    pid,
    exited: new Promise<void>((resolve) => {
      markExited = resolve;
    }),
    hasExited: () => hasExited,
  };
  child.on('error', (error) => hooks.log(`process ${record.id} (${spec.name}) pid ${pid}: ${error.message}`));
  child.once('exit', (code, signal) => {
    hasExited = true;
    if (record.run !== run) {
      markExited();
      return;
    }
    record.run = null;
    record.pid = null;
    // A run that ended by itself may leave children in its process group: stop them like a stop would,
    // so that a restart never finds the old run's workers still holding its port or files.
    if (!record.isUserOp && isGroupAlive(pid)) record.leftovers = stopLeftovers(record, pid, hooks);
    hooks.onExit(record, code, signal);
    markExited();
  });
  record.pipeline.attach(child.stdout!, 'out', pid);
  record.pipeline.attach(child.stderr!, 'err', pid);
  record.run = run;
  record.pid = pid;
  record.startedAt = Date.now();
  record.status = 'online';
  spawnCounter += 1;
  record.spawnSeq = spawnCounter;
  hooks.onOnline(record);
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopLeftovers(record: ProcessRecord, pgid: number, hooks: RunnerHooks): Promise<void> {
  const spec = record.app.spec;
  try {
    const result = await stopTree(pgid, { signal: spec.stopSignal, killTimeoutMs: spec.killTimeoutMs });
    const others = result.pids.filter((pid) => pid !== pgid);
    if (others.length > 0) {
      hooks.log(
        `process ${record.id} (${spec.name}): stopped ${others.join(', ')}, left behind by its exited run`,
      );
    }
  } finally {
    record.leftovers = null;
    hooks.onLeftoversGone(record);
  }
}

/**
 * Stops the current run of a process: the whole tree gets the app's stop signal, then SIGKILL
 * after its kill timeout; resolves when the tree is gone and the exit has been handled.
 */
export async function stopRecordTree(record: ProcessRecord, hooks: RunnerHooks): Promise<void> {
  const run = record.run;
  if (!run) return;
  const spec = record.app.spec;
  const result = await stopTree(run.pid, { signal: spec.stopSignal, killTimeoutMs: spec.killTimeoutMs });
  if (result.isForced) {
    hooks.log(
      `process ${record.id} (${spec.name}) ignored ${spec.stopSignal} for ${spec.killTimeoutMs} ms: SIGKILLed`,
    );
  }
  if (result.remaining.length > 0) {
    hooks.log(`process ${record.id} (${spec.name}): pids ${result.remaining.join(', ')} survived SIGKILL`);
    return;
  }
  await run.exited;
}

function markSpawnFailed(record: ProcessRecord): void {
  record.status = 'errored';
  record.lastExitReason = 'spawn-error';
  record.pid = null;
  record.run = null;
  record.startedAt = null;
}

function noteSpawnError(record: ProcessRecord, hooks: RunnerHooks, why: string): void {
  try {
    record.pipeline.note('err', `velos: ${why}`);
  } catch {
    // the process was deleted and its pipeline closed meanwhile
  }
  hooks.log(`process ${record.id} (${record.app.spec.name}) failed to start: ${why}`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
