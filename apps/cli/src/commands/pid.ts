import { normalizeAppName, type ProcessInfo } from '@velos/core';
import type { CommandContext } from '../context.js';

/**
 * `velos pid [name]` (PM2 drop-in): the pid of each process of the app (by name or id), or of every
 * process, one per line; 0 for one that is not running, as PM2 prints it. A name that matches
 * nothing prints nothing (exit 0, as PM2) and says so on stderr.
 */
export async function runPid(ctx: CommandContext, target: string | undefined): Promise<void> {
  const client = await ctx.client();
  const processes = processesOf(await client.list(), target);
  if (target !== undefined && processes.length === 0) {
    process.stderr.write(`velos: no process named '${target}'\n`);
  }
  const pids = processes.map((info) => info.pid ?? 0);
  if (ctx.mode !== 'text') ctx.printJson(pids);
  else if (pids.length > 0) ctx.print(pids.join('\n'));
}

/** The processes `velos pid` prints: all without a target, else those of the app (NFC, as targets are matched) or the id. */
export function processesOf(processes: readonly ProcessInfo[], target: string | undefined): ProcessInfo[] {
  if (target === undefined) return [...processes];
  const wanted = normalizeAppName(target);
  return processes.filter((info) => info.name === wanted || String(info.id) === target);
}
