import type { CommandContext } from '../context.js';
import { expandRegexTargets } from '../pm2/regex-targets.js';
import { printProcesses } from './print-processes.js';

/** `velos reset <target…>` (PM2 drop-in): the restart counters of each target back to 0, then the list. */
export async function runReset(ctx: CommandContext, targets: string[]): Promise<void> {
  const client = await ctx.client();
  for (const target of await expandRegexTargets(targets, () => client.list(), 'reset')) {
    await client.reset(target);
  }
  printProcesses(ctx, await client.list());
}
