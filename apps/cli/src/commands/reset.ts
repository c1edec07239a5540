import type { CommandContext } from '../context.js';
import { forEachTarget, reportNotFound } from '../pm2/each-target.js';
import { printProcesses } from './print-processes.js';

/** `velos reset <target…>` (PM2 drop-in): the restart counters of each target back to 0, then the list. */
export async function runReset(ctx: CommandContext, targets: string[]): Promise<void> {
  const client = await ctx.client();
  const { done, notFound } = await forEachTarget(
    targets,
    () => client.list(),
    'reset',
    (target) => client.reset(target),
  );
  if (done > 0) printProcesses(ctx, await client.list());
  reportNotFound(notFound);
}
