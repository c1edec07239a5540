import type { CommandContext } from '../context.js';

/** `velos flush [target]`: empties the log files of the target (all processes by default). */
export async function runFlush(ctx: CommandContext, target: string | undefined): Promise<void> {
  const client = await ctx.client();
  const flushed = await client.flush(target);
  if (ctx.mode !== 'text') ctx.printJson(flushed);
  else
    ctx.print(
      flushed.length === 0 ? 'no log files to flush' : flushed.map((path) => `flushed ${path}`).join('\n'),
    );
}
