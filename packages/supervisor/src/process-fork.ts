import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { instanceEnv } from '@velos/core';
import { wantsForkIpc, withIpc } from './fork-ipc.js';
import { prepareWatchdogLogDir } from './inactivity/inactivity-watchdog.js';
import { type ChildStdio, childStdio } from './orphans/fifo-stdio.js';
import { runDirOf } from './orphans/run-files.js';
import type { ProcessRecord } from './process-record.js';
import { withUnbufferedPython } from './python-output.js';
import { type ResolvedCommand, resolveCommand } from './resolve-command.js';
import { checkRunAsCwd, type RunAs, resolveRunAs } from './run-as.js';

/** What `forkChild` needs from the runner's hooks. */
export interface ForkHooks {
  log(line: string): void;
  /** SUP-13: the Velos home; with it children write into FIFOs and carry `VELOS_HOME`. */
  home?: string;
}

/**
 * A process just spawned for a record, not yet its run: `adoptChild` (process-runner.ts) makes it
 * one, or tells why the spawn failed. Nothing of the record changes in between.
 */
export type ForkedChild =
  | {
      /** The spawned child; its `pid` is undefined when the spawn failed (the `error` event tells why). */
      child: ChildProcess;
      command: ResolvedCommand;
      /** The user the child runs as, when the app sets `uid`/`gid`. */
      runAs: RunAs | undefined;
      stdio: ChildStdio;
      hasIpc: boolean;
      runDir: string | undefined;
    }
  | { child: null; error: string };

/**
 * Spawns one process for a record and does nothing else (issue 17: on a crash this is the first thing
 * done once the restart is decided; the status changes, events and log lines follow it): resolves
 * the command, spawns it detached (leading its own process group) with its stdout/stderr into its
 * FIFOs (or pipes). The record is left as it was.
 */
export function forkChild(record: ProcessRecord, hooks: ForkHooks): ForkedChild {
  const spec = record.app.spec;
  const runDir = hooks.home === undefined ? undefined : runDirOf(hooks.home);
  const stdio = childStdio(runDir, record.id, hooks.log);
  try {
    if (!isDirectory(spec.cwd)) throw new Error(`the working directory ${spec.cwd} does not exist`);
    prepareWatchdogLogDir(spec);
    const command = resolveCommand(spec);
    const hasIpc = wantsForkIpc(spec, command);
    const runAs = resolveRunAs(spec);
    if (runAs) checkRunAsCwd(runAs, spec.cwd);
    const env = instanceEnv(spec, record);
    // the user's HOME, USER… replace the inherited ones (the daemon's user's), not the app's own env
    for (const [key, value] of Object.entries(runAs?.env ?? {}))
      if (spec.ownEnv?.[key] === undefined) env[key] = value;
    if (hooks.home !== undefined) env.VELOS_HOME = hooks.home;
    withUnbufferedPython(command, env);
    const child = withUmask(spec.umask, () =>
      spawn(command.file, command.args, {
        cwd: spec.cwd,
        env,
        stdio: hasIpc ? withIpc(stdio.stdio) : stdio.stdio,
        detached: true,
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      }),
    );
    return { child, command, runAs, stdio, hasIpc, runDir };
  } catch (error) {
    stdio.cancel();
    return { child: null, error: error instanceof Error ? error.message : String(error) };
  } finally {
    stdio.afterSpawn();
  }
}

/**
 * Runs `spawnChild` with the process umask set to an app's `umask`, then sets the daemon's back; with
 * none, the child inherits the daemon's. Node has no spawn option for it and the daemon runs no launcher
 * before exec, but the forked child takes the umask at fork(), inside the synchronous `spawn()` call:
 * no other spawn or JavaScript of the daemon's one thread runs between the two `process.umask()` calls.
 * Only libuv's pool threads may create a file in that instant (an async write begun earlier); the
 * daemon's files pass their own modes (0600 to 0750), which an umask only narrows.
 */
function withUmask<T>(umask: number | undefined, spawnChild: () => T): T {
  if (umask === undefined) return spawnChild();
  const daemonUmask = process.umask(umask);
  try {
    return spawnChild();
  } finally {
    process.umask(daemonUmask);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Kills a forked child that will not become a run (its process group) and drops its stdio. */
export function discardChild(forked: ForkedChild): void {
  if (forked.child === null) return;
  forked.stdio.cancel();
  const pid = forked.child.pid;
  if (pid === undefined) {
    forked.child.once('error', () => undefined);
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
