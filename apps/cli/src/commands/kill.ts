import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VelosClient } from '@velos/client';
import { ErrorCodes, HOME_LAYOUT, isVelosError, VelosError } from '@velos/core';
import type { CommandContext } from '../context.js';

const EXIT_DEADLINE_MS = 15_000;

/**
 * `velos kill`: stops every app and the daemon, and waits until the daemon process is gone.
 * With no daemon running it says so and succeeds, starting none, unless one died and left its
 * apps running (`run/live.json` is there and processes of the home still run): then it starts a
 * daemon, which re-adopts them, and kills that, so that the apps are stopped rather than left running
 * unseen (SUP-13). After a reboot nothing is left running: no daemon is started, which would start
 * the apps of the live table only to stop them.
 */
export async function runKill(ctx: CommandContext): Promise<void> {
  let client: VelosClient = await ctx.client({ autoStart: false });
  let pid: number;
  try {
    pid = (await client.ping()).pid;
  } catch (error) {
    if (!isVelosError(error) || error.code !== ErrorCodes.DAEMON_UNAVAILABLE) throw error;
    if (!existsSync(join(ctx.home, HOME_LAYOUT.liveState)) || !(await hasProcessesLeft(ctx.home))) {
      if (ctx.mode === 'text') ctx.print(`no Velos daemon is running (home ${ctx.home})`);
      else ctx.printJson(ctx.mode === 'ai' ? { k: 0, d: false } : { stopped: 0, daemon: false });
      return;
    }
    await client.close();
    client = await ctx.client();
    pid = (await client.ping()).pid;
  }
  const { stopped } = await client.kill().catch((error: unknown) => {
    // the daemon saves before it stops anything: a save that failed leaves it serving
    throw isVelosError(error) && error.code === ErrorCodes.IO_ERROR
      ? new VelosError(error.code, `${error.message}; the daemon (pid ${pid}) keeps running`, {
          cause: error,
        })
      : error;
  });
  await client.close();
  await waitForExit(pid);
  if (ctx.mode === 'json') ctx.printJson({ stopped, daemon: true, pid });
  else if (ctx.mode === 'ai') ctx.printJson({ k: stopped, d: true });
  else ctx.print(`stopped ${stopped} ${stopped === 1 ? 'process' : 'processes'} and the daemon (pid ${pid})`);
}

/**
 * Whether processes a daemon of `home` started still run (their environment names the home), read
 * from `/proc`; where there is none, a live table is reason enough to look.
 */
async function hasProcessesLeft(home: string): Promise<boolean> {
  if (process.platform !== 'linux') return true;
  const { findHomeProcesses } = await import('@velos/supervisor');
  return findHomeProcesses(home).length > 0;
}

/** Waits until the daemon `pid` is gone (polls with signal 0, which sends nothing); TIMEOUT after 15 s. */
export async function waitForExit(pid: number): Promise<void> {
  const deadline = Date.now() + EXIT_DEADLINE_MS;
  let pauseMs = 10;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new VelosError(
        ErrorCodes.TIMEOUT,
        `the daemon (pid ${pid}) is still running ${EXIT_DEADLINE_MS / 1000} s after it was told to end`,
      );
    }
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 2, 100);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

// An exited daemon whose new parent does not reap it (PID 1 in some containers) still answers signal 0.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
