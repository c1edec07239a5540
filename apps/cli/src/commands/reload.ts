import type { CommandContext } from '../context.js';
import { expandRegexTargets } from '../pm2/regex-targets.js';
import { printProcesses } from './print-processes.js';
import { currentEnv } from './process-action.js';

/**
 * `velos reload <target…>` (SUP-6): reloads each target in turn (cluster instances one at a time,
 * fork processes restarted; a PM2 `/regex/` stands for the names it matches) and prints the list; the
 * first failure is the command's error.
 */
export async function runReload(
  ctx: CommandContext,
  targets: string[],
  options: { updateEnv?: boolean } = {},
): Promise<void> {
  const client = await ctx.client();
  for (const target of await expandRegexTargets(targets, () => client.list(), 'reload')) {
    await (options.updateEnv ? client.reload(target, { env: currentEnv() }) : client.reload(target));
  }
  printProcesses(ctx, await client.list());
}
