import type { CommandContext } from '../context.js';
import { printProcesses } from './print-processes.js';

/** `velos scale <app> <n|+n|-n>` (SUP-5): sets the app's instance count and prints the list. */
export async function runScale(ctx: CommandContext, name: string, count: string): Promise<void> {
  const client = await ctx.client();
  await client.scale(name, count);
  printProcesses(ctx, await client.list());
}
