import { type CommandContext, printWarnings } from '../context.js';
import { printProcesses } from './print-processes.js';

/** `velos save`: writes the process list to the daemon's state file, for `velos resurrect`. */
export async function runSave(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  const saved = await client.save();
  if (ctx.mode !== 'text') ctx.printJson(saved);
  else ctx.print(`saved ${saved.count} ${saved.count === 1 ? 'process' : 'processes'} to ${saved.path}`);
}

/** `velos resurrect`: starts the apps of the last `velos save`, then prints the list. */
export async function runResurrect(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  const { warnings } = await client.resurrect();
  printWarnings(warnings);
  printProcesses(ctx, await client.list());
}
