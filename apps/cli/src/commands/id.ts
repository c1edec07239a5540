import { inspect } from 'node:util';
import type { CommandContext } from '../context.js';

/** `velos id <name>` (PM2 drop-in): the ids of the app's processes, printed as PM2 prints them (`[ 0, 1 ]`); `[]` for none. */
export async function runId(ctx: CommandContext, name: string): Promise<void> {
  const client = await ctx.client();
  const ids = (await client.list()).filter((info) => info.name === name).map((info) => info.id);
  if (ctx.mode === 'text') ctx.print(inspect(ids));
  else ctx.printJson(ids);
}
