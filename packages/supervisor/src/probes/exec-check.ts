import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ProbeCheck } from '@velos/core';
import {
  killEscaped,
  markProbeRun,
  nextProbeMarker,
  PROBE_MARKER,
  type ProbeRunMark,
} from './probe-leftovers.js';

type ExecCheck = Extract<ProbeCheck, { kind: 'exec' }>;

/** Where an exec probe runs: the app's working directory and environment, and its user (`uid`/`gid`). */
export interface ExecContext {
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
}

const STDERR_KEPT = 200;
const STDERR_DRAIN_MS = 250;

/**
 * Runs the check's command with `sh -c` in its own process group: exit 0 passes (null), anything else
 * returns why (`exit code 1: <first stderr line>`). On abort (timeout, probe stopped) the whole group is
 * SIGKILLed; the group is also cleared after the command exits so nothing it started in the background
 * lingers, and so is what left the group (`setsid`): every process of the command carries
 * `VELOS_PROBE=<a marker of this run>`, by which `killEscaped` finds it.
 */
export function checkExec(
  check: ExecCheck,
  signal: AbortSignal,
  context: ExecContext,
): Promise<string | null> {
  return new Promise((resolve) => {
    const marker = nextProbeMarker();
    const child = spawn('sh', ['-c', check.command], {
      cwd: context.cwd,
      env: { ...context.env, [PROBE_MARKER]: marker },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      ...(context.uid === undefined ? {} : { uid: context.uid, gid: context.gid }),
    });
    const mark: ProbeRunMark | null = child.pid === undefined ? null : markProbeRun(child.pid, marker);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < STDERR_KEPT) stderr += chunk;
    });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    signal.addEventListener('abort', killGroup, { once: true });
    child.once('error', (error) => {
      signal.removeEventListener('abort', killGroup);
      resolve(spawnFailure(error, context.cwd));
    });
    child.once('exit', (code, exitSignal) => {
      signal.removeEventListener('abort', killGroup);
      killGroup();
      if (mark !== null && child.pid !== undefined) killEscaped(child.pid, mark);
      const finish = () => {
        clearTimeout(drainTimer);
        child.stderr?.destroy();
        if (code === 0) return resolve(null);
        const why = code === null ? `killed by ${exitSignal}` : `exit code ${code}`;
        // the first line that says something: a script may start its message with an empty line
        const detail = stderr
          .split('\n')
          .find((line) => line.trim() !== '')
          ?.trim()
          .slice(0, STDERR_KEPT);
        resolve(detail ? `${why}: ${detail}` : why);
      };
      // stderr may still hold the command's last words: read them, but never wait on a pipe that a
      // process outside the group keeps open
      const drainTimer = setTimeout(finish, STDERR_DRAIN_MS);
      if (!child.stderr || child.stderr.readableEnded) finish();
      else child.stderr.once('end', finish);
    });
  });
}

/**
 * Why the command could not be spawned. A working directory removed after the app started fails the
 * spawn with `spawn sh ENOENT`, which reads as a missing shell: that case names the directory instead.
 */
function spawnFailure(error: NodeJS.ErrnoException, cwd: string): string {
  if (error.code === 'ENOENT' && !existsSync(cwd)) {
    return `cannot run the command: its working directory ${cwd} no longer exists (the app's cwd was removed)`;
  }
  return `cannot run sh: ${error.message}`;
}
