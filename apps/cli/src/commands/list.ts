import type { CommandContext } from '../context.js';
import { parseProcessSort, sortProcesses } from '../output/process-sort.js';
import { printProcesses } from './print-processes.js';

/** `velos list`: every process with status, pid, cpu, memory, uptime and restarts; `--sort` orders them. */
export async function runList(ctx: CommandContext, sortText?: string): Promise<void> {
  // checked before the daemon is asked (or started): a bad --sort is a usage error, nothing else
  const sort = sortText === undefined ? null : parseProcessSort(sortText);
  const client = await ctx.client();
  const processes = await client.list();
  printProcesses(ctx, sort === null ? processes : sortProcesses(processes, sort));
}
