import { setTimeout as delay } from 'node:timers/promises';
import type { PublishEvent } from './events/event-bus.js';
import { type ForkChannel, openForkChannel, shutdownByMessage } from './fork-ipc.js';
import { environmentMarks, findEscapedByEnvironment, recheckExecing } from './orphans/escaped-scan.js';
import { runDirOf } from './orphans/run-files.js';
import { journalRunStart } from './orphans/run-journal.js';
import { recordRunEnd, recordRunStart } from './orphans/run-registry.js';
import { markPids, type PidMark, snapshotSince } from './pids-since.js';
import { readProcStat, treePids } from './proc-scan.js';
import { type ForkedChild, forkChild } from './process-fork.js';
import type { ProcessRecord, ProcessRun } from './process-record.js';
import { setStatus } from './process-status.js';
import {
  DEFAULT_KILL_WAIT_MS,
  recentSnapshot,
  type StopTreeResult,
  stopTree,
  whenGone,
} from './tree-stop.js';

/**
 * What ended a run when its exit code and signal cannot say (see `RunnerHooks.onExit`):
 * `status-unknown` = a re-adopted run, not our child, whose exit code and signal nobody can know
 * (both null); `primary-exit` = a cluster worker ended because its primary exited (SUP-5).
 */
export type ExitCause = 'status-unknown' | 'primary-exit';

/** What the runner reports back to the supervisor. */
export interface RunnerHooks {
  /** A process has a pid and runs. */
  onOnline(record: ProcessRecord): void;
  /**
   * A run has a pid but stays `starting` (a `wait_ready` app until its 'ready', a cluster worker while
   * its Node boots): it is sampled from now on, so `max_memory` holds before it is online (SUP-9).
   */
  onPid?(record: ProcessRecord): void;
  /** The process of a run exited (not called for spawn errors); `cause` when its code and signal cannot tell. */
  onExit(record: ProcessRecord, exitCode: number | null, signal: string | null, cause?: ExitCause): void;
  /** Processes left in the group of a run that exited by itself are gone (see `record.leftovers`). */
  onLeftoversGone(record: ProcessRecord): void;
  /** The daemon's own log. */
  log(line: string): void;
  /** OBS-2: publishes an event a runner raises itself (`process.primary_exited`). */
  publish?: PublishEvent;
  /** OBS-2: a message with `velos_event` a process sent over its IPC channel (cluster workers). */
  onAppMessage?(record: ProcessRecord, message: unknown): void;
  /** SUP-13: the Velos home; with it children write into FIFOs that outlive the daemon and their runs are registered. */
  home?: string;
}

let spawnCounter = 0;

/** The next spawn order number (`ProcessRecord.spawnSeq`), shared by every runner. */
export function nextSpawnSeq(): number {
  spawnCounter += 1;
  return spawnCounter;
}

/**
 * Starts one run of a process: resolves its command, spawns it detached (leading its own process
 * group) with piped stdout/stderr into its log pipeline. A spawn error leaves it `errored` with
 * reason `spawn-error` and a note in its err log.
 */
export function spawnRecord(record: ProcessRecord, hooks: RunnerHooks): void {
  adoptChild(record, forkChild(record, hooks), hooks);
}

/**
 * Makes a child `forkChild` spawned for a record its run: `starting`, then `online` (or, with
 * wait_ready, once the app is ready) with its pid and its output in the log pipeline; a failed spawn
 * leaves it `errored` with reason `spawn-error` and a note in its err log.
 */
export function adoptChild(record: ProcessRecord, forked: ForkedChild, hooks: RunnerHooks): void {
  const spec = record.app.spec;
  setStatus(record, 'starting');
  record.restartAt = null;
  if (forked.child === null) {
    markSpawnFailed(record);
    noteSpawnError(record, hooks, forked.error);
    return;
  }
  const { child, command, runAs, stdio, hasIpc, runDir } = forked;
  if (child.pid === undefined) {
    stdio.cancel();
    // the reason (ENOENT, EACCES…) only arrives with the 'error' event, after this turn
    markSpawnFailed(record);
    child.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ENOENT' ? 'not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
      // as another user, EACCES is as often its cwd (the child's chdir) as the program
      const as = runAs ? ` as ${runAs.label} in ${spec.cwd}` : '';
      noteSpawnError(record, hooks, `cannot start ${command.file}${as}: ${why} (${error.code ?? 'error'})`);
    });
    return;
  }
  const pid = child.pid;
  const startedAt = Date.now();
  // SUP-13: in the run journal at once, whatever spawned it (a command, a crash or cron restart, a job,
  // a restore): its run entry waits for an immediate, and a daemon killed in between must leave the run
  // to be re-adopted, not stopped as a stray. This reads its start time (one /proc read, one write).
  let sinceTicks =
    runDir === undefined
      ? 0
      : journalRunStart(runDir, { id: record.id, name: spec.name, pid, startedAt }, hooks.log);
  // Its start time (what it started later is found after it is reaped; 0 until read) and where pid
  // allocation stood (its leftovers are looked for among the pids allocated since): marked once the
  // start is answered (issue 17), or on its exit if that comes first; a run already reaped then reads
  // 0 (any start time: more candidates, never fewer).
  let isMarked = false;
  let mark: PidMark | null = null;
  const markRun = (): number => {
    if (!isMarked) {
      isMarked = true;
      if (sinceTicks === 0) sinceTicks = readStartTicks(pid);
      mark = markPids(pid);
    }
    return sinceTicks;
  };
  let hasExited = false;
  let markExited!: () => void;
  const channel: ForkChannel | undefined = hasIpc
    ? openForkChannel(child, spec, {
        onAppMessage: (message) => hooks.onAppMessage?.(record, message),
        log: (line) => hooks.log(`process ${record.id} (${spec.name}) ${line}`),
      })
    : undefined;
  const run: ProcessRun = {
    pid,
    exited: new Promise<void>((resolve) => {
      markExited = resolve;
    }),
    hasExited: () => hasExited,
    ...(channel ? { channel } : {}),
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
    const startTicks = markRun();
    if (!record.isUserOp && hasLeftovers(record, pid, startTicks, hooks, mark))
      record.leftovers = stopLeftovers(record, pid, hooks, startTicks);
    hooks.onExit(record, code, signal);
    // after a restart's spawn (issue 17); before the new run's entry, written from an immediate
    if (runDir !== undefined) recordRunEnd(runDir, record.id);
    markExited();
  });
  const streams = stdio.streams(child);
  record.pipeline.attach(streams.out, 'out', pid);
  record.pipeline.attach(streams.err, 'err', pid);
  record.run = run;
  record.pid = pid;
  record.startedAt = startedAt;
  record.lastStartedAt = startedAt;
  record.lastStartReason = record.lastExitReason;
  // after the answer (or the exit's handling) that follows this turn; nothing to record once it ended
  setImmediate(() => {
    if (hasExited) return;
    const startTicks = markRun();
    if (runDir !== undefined)
      recordRunStart(runDir, { id: record.id, name: spec.name, pid, startedAt, startTicks }, hooks.log);
  });
  record.spawnSeq = nextSpawnSeq();
  if (!channel?.ready) {
    setStatus(record, 'online');
    hooks.onOnline(record);
    return;
  }
  // wait_ready: `starting` (PM2's `launching`) until the app sends 'ready' or listen_timeout passes
  hooks.onPid?.(record);
  void channel.ready.then((how) => {
    if (how === 'exit' || record.run !== run || record.status !== 'starting') return;
    if (how === 'timeout') {
      hooks.log(
        `process ${record.id} (${spec.name}) sent no 'ready' within listen_timeout ${spec.listenTimeoutMs} ms: online anyway`,
      );
    }
    setStatus(record, 'online');
    hooks.onOnline(record);
  });
}

/** True while any process is left in the process group `pgid`. */
export function isGroupAlive(pgid: number): boolean {
  // on every exit the group is gone: the ESRCH error skips its stack trace (half the cost of the call)
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** A live process's start time (`ProcStat.startTicks`), 0 where unknown. */
function readStartTicks(pid: number): number {
  return readProcStat(pid)?.startTicks ?? 0;
}

/**
 * True while a run that ended leaves processes behind: in its process group, or started by it and
 * escaped from the group (setsid) but still carrying its `VELOS_HOME` and `VELOS_ID`. With the run's
 * `mark`, only the processes whose pids were allocated since it are looked at (see `snapshotSince`).
 */
export function hasLeftovers(
  record: ProcessRecord,
  pgid: number,
  sinceTicks: number,
  hooks: RunnerHooks,
  mark: PidMark | null = null,
): boolean {
  if (isGroupAlive(pgid)) return true;
  if (hooks.home === undefined) return false;
  // the run's root led its own session (spawned detached): only that session and newer ones can hold leftovers
  const snapshot = snapshotSince(mark, { isSessionLeader: true }) ?? recentSnapshot();
  const { found, execing } = findEscapedByEnvironment({
    home: hooks.home,
    id: record.id,
    rootPid: pgid,
    sinceTicks,
    snapshot,
  });
  // one caught in the middle of an exec may be the run's: the stop of the leftovers reads it again
  return found.length > 0 || execing.length > 0;
}

/** Stops what a run that ended by itself left in its process group, then reports `onLeftoversGone`. */
export async function stopLeftovers(
  record: ProcessRecord,
  pgid: number,
  hooks: RunnerHooks,
  sinceTicks = 0,
): Promise<void> {
  const spec = record.app.spec;
  try {
    const results = await stopWithEscaped(record, pgid, undefined, { home: hooks.home, sinceTicks });
    const others = results.flatMap((result) => result.pids).filter((pid) => pid !== pgid);
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
 * after its kill timeout; resolves when the tree is gone and the exit has been handled. What a
 * previous run left is waited for first (any restart path goes through here, #19.11), and the
 * descendants the monitor saw that have left the tree since are stopped with it (#8). A tree part
 * that outlives SIGKILL (a process in D state) ends the run for the supervisor at once, so its late
 * exit can never restart a stopped app (#19.9); it stays the record's `leftovers` until it is gone.
 */
export async function stopRecordTree(record: ProcessRecord, hooks: RunnerHooks): Promise<void> {
  await awaitLeftovers(record, hooks);
  const run = record.run;
  if (!run) return;
  const spec = record.app.spec;
  const byMessage = spec.shutdownWithMessage
    ? await shutdownByMessage(run.channel, run.exited, spec.killTimeoutMs)
    : 'not-sent';
  const sinceTicks = run.startTicks ?? readProcStat(run.pid)?.startTicks ?? 0;
  // after a 'shutdown' the app had its grace period: what is left of its tree is killed at once
  const results = await stopWithEscaped(
    record,
    run.pid,
    run.startTicks,
    { home: hooks.home, sinceTicks },
    byMessage === 'timeout' ? { signal: 'SIGKILL', killTimeoutMs: 0 } : undefined,
  );
  if (byMessage === 'timeout') {
    hooks.log(
      `process ${record.id} (${spec.name}) did not exit within ${spec.killTimeoutMs} ms of the 'shutdown' message: SIGKILLed`,
    );
  } else if (results[0]!.isForced) {
    hooks.log(
      `process ${record.id} (${spec.name}) ignored ${spec.stopSignal} for ${spec.killTimeoutMs} ms: SIGKILLed`,
    );
  }
  const remaining = results.flatMap((result) => result.remaining);
  if (remaining.length === 0) {
    await run.exited;
    return;
  }
  hooks.log(
    `process ${record.id} (${spec.name}): pids ${remaining.join(', ')} survived SIGKILL: stopping until they are gone`,
  );
  if (record.run === run) {
    record.run = null;
    record.pid = null;
    if (hooks.home !== undefined) recordRunEnd(runDirOf(hooks.home), record.id);
    hooks.onExit(record, null, null);
  }
  record.leftovers = whenGone(remaining, SURVIVOR_POLL_MS).finally(() => {
    record.leftovers = null;
    hooks.log(
      `process ${record.id} (${spec.name}): pids ${remaining.join(', ')} that survived SIGKILL are gone`,
    );
    hooks.onLeftoversGone(record);
  });
}

/** How often processes that outlived SIGKILL are checked for. */
const SURVIVOR_POLL_MS = 500;

/**
 * Waits for what a previous run left (processes being stopped, or that outlived SIGKILL), so that a
 * new run never races them for a port; at most one stop's deadline, then the caller goes on.
 */
async function awaitLeftovers(record: ProcessRecord, hooks: RunnerHooks): Promise<void> {
  const leftovers = record.leftovers;
  if (!leftovers) return;
  const spec = record.app.spec;
  const abort = new AbortController();
  const isGone = await Promise.race([
    leftovers.then(
      () => true,
      () => true,
    ),
    delay(spec.killTimeoutMs + DEFAULT_KILL_WAIT_MS, false, { signal: abort.signal }).catch(() => false),
  ]);
  abort.abort();
  if (!isGone) {
    hooks.log(
      `process ${record.id} (${spec.name}): goes on while processes of its previous run are still there`,
    );
  }
}

/** Where a stop looks for the processes that escaped a run's tree by their environment. */
interface EscapedSearch {
  home: string | undefined;
  /** The run's start time: only processes started since are candidates. */
  sinceTicks: number;
}

/**
 * Stops the tree of `rootPid` and, in parallel, each tree of a process that escaped it: a descendant
 * the monitor saw earlier that is no longer in it (same pid and start time), or one whose environment
 * names this home and process id (a setsid grandchild no sample saw); the root's result comes first.
 */
function stopWithEscaped(
  record: ProcessRecord,
  rootPid: number,
  rootStartTicks: number | undefined,
  search: EscapedSearch,
  how?: { signal: NodeJS.Signals; killTimeoutMs: number },
): Promise<StopTreeResult[]> {
  const spec = record.app.spec;
  const options = how ?? { signal: spec.stopSignal, killTimeoutMs: spec.killTimeoutMs };
  const roots = new Map(escapedRoots(record, rootPid));
  if (search.home !== undefined) {
    const snapshot = recentSnapshot();
    const { found, execing } = findEscapedByEnvironment({
      home: search.home,
      id: record.id,
      rootPid,
      sinceTicks: search.sinceTicks,
      snapshot,
    });
    for (const [pid, startTicks] of found) {
      const isBelowKnown = [...roots.keys()].some((root) => treePids(snapshot, root).includes(pid));
      if (!isBelowKnown) roots.set(pid, startTicks);
    }
    // caught in the middle of an exec, without an environment to read: stopped once it has one, without
    // holding up this stop (a process started with an empty environment would hold it for the recheck's second)
    if (execing.length > 0) {
      recheckExecing(execing, environmentMarks(search.home, record.id))
        .then((late) => {
          for (const [pid, startTicks] of late)
            stopTree(pid, { ...options, rootStartTicks: startTicks }).catch(() => undefined);
        })
        .catch(() => undefined);
    }
  }
  return Promise.all([
    stopTree(rootPid, { ...options, rootStartTicks }),
    ...[...roots].map(([pid, startTicks]) => stopTree(pid, { ...options, rootStartTicks: startTicks })),
  ]);
}

/** The remembered descendants that left the tree of `rootPid`, without those inside another one's tree. */
function escapedRoots(record: ProcessRecord, rootPid: number): Array<[number, number]> {
  const seen = record.seenDescendants;
  if (!seen || seen.size === 0) return [];
  const snapshot = recentSnapshot();
  const inTree = new Set(treePids(snapshot, rootPid));
  const escaped = [...seen].filter(
    ([pid, startTicks]) => !inTree.has(pid) && snapshot.stats.get(pid)?.startTicks === startTicks,
  );
  const below = new Set<number>();
  for (const [pid] of escaped)
    for (const member of treePids(snapshot, pid)) if (member !== pid) below.add(member);
  return escaped.filter(([pid]) => !below.has(pid));
}

function markSpawnFailed(record: ProcessRecord): void {
  setStatus(record, 'errored', 'spawn-error');
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
