import type { CommandContext } from '../context.js';
import { collectPm2List } from '../pm2/jlist-collect.js';

/**
 * `velos jlist` and `velos prettylist` (PM2 drop-in): every process in PM2's JSON shape, on one line
 * (jlist, for scripts) or indented (prettylist); both are valid JSON. Like PM2, it starts the daemon
 * when none runs (and then prints `[]`).
 */
export async function runJlist(ctx: CommandContext, options: { isPretty: boolean }): Promise<void> {
  const client = await ctx.client();
  const list = await collectPm2List(client, ctx.home);
  process.stdout.write(`${JSON.stringify(list, null, options.isPretty ? 2 : undefined)}\n`);
}
