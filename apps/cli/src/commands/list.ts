import type { CommandContext } from '../context.js';
import { printProcesses } from './print-processes.js';

/** `velos list`: every process with status, pid, cpu, memory, uptime and restarts. */
export async function runList(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  printProcesses(ctx, await client.list());
}
