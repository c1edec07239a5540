import type { CommandContext } from '../context.js';
import { renderProcessDetails, toAiDetail } from '../output/process-detail.js';

/** `velos describe <target>`: spec, command, log paths and counters, peaks, restarts and last exit. */
export async function runDescribe(ctx: CommandContext, target: string): Promise<void> {
  const client = await ctx.client();
  const details = await client.describe(target);
  if (ctx.mode === 'json') ctx.printJson(details);
  else if (ctx.mode === 'ai') ctx.printJson(details.map(toAiDetail));
  else ctx.print(renderProcessDetails(details, ctx.colors));
}
