import type { CommandContext } from '../context.js';
import { forEachTarget, reportNotFound } from '../pm2/each-target.js';
import { printProcesses } from './print-processes.js';
import { currentEnv } from './process-action.js';

/**
 * `velos reload <target…>` (SUP-6): reloads each target in turn (cluster instances one at a time,
 * fork processes restarted; a PM2 `/regex/` stands for the names it matches) and prints the list.
 * A target that matches nothing does not stop the others; any other failure is the command's error.
 */
export async function runReload(
  ctx: CommandContext,
  targets: string[],
  options: { updateEnv?: boolean } = {},
): Promise<void> {
  const client = await ctx.client();
  const { done, notFound } = await forEachTarget(
    targets,
    () => client.list(),
    'reload',
    (target) => (options.updateEnv ? client.reload(target, { env: currentEnv() }) : client.reload(target)),
    { allNeedsOne: true },
  );
  if (done > 0) printProcesses(ctx, await client.list());
  reportNotFound(notFound);
}
