import type { CommandContext } from '../context.js';

/** `velos reloadLogs [target]`: closes and reopens the log files of the target (all processes by default). */
export async function runReloadLogs(ctx: CommandContext, target: string | undefined): Promise<void> {
  const client = await ctx.client();
  const reopened = await client.reloadLogs(target);
  if (ctx.mode !== 'text') ctx.printJson(reopened);
  else
    ctx.print(
      reopened.length === 0
        ? 'no log files to reopen'
        : reopened.map((path) => `reopened ${path}`).join('\n'),
    );
}
