import type { CommandContext } from '../context.js';

/**
 * `velos pid [name]` (PM2 drop-in): the pid of each process of the app (by name or id), or of every
 * process, one per line; 0 for one that is not running, as PM2 prints it. A name that matches
 * nothing prints nothing (exit 0, as PM2) and says so on stderr.
 */
export async function runPid(ctx: CommandContext, target: string | undefined): Promise<void> {
  const client = await ctx.client();
  const processes = (await client.list()).filter(
    (info) => target === undefined || info.name === target || String(info.id) === target,
  );
  if (target !== undefined && processes.length === 0) {
    process.stderr.write(`velos: no process named '${target}'\n`);
  }
  const pids = processes.map((info) => info.pid ?? 0);
  if (ctx.mode !== 'text') ctx.printJson(pids);
  else if (pids.length > 0) ctx.print(pids.join('\n'));
}
