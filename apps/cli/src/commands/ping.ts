import { formatDuration } from '@velos/core';
import type { CommandContext } from '../context.js';

/** `velos ping`: the daemon's version, pid, uptime and process count (starting the daemon if needed). */
export async function runPing(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  const ping = await client.ping();
  if (ctx.mode === 'json') ctx.printJson(ping);
  else if (ctx.mode === 'ai') {
    ctx.printJson({ v: ping.version, p: ping.pid, u: formatDuration(ping.uptimeMs), n: ping.processes });
  } else {
    const count = `${ping.processes} ${ping.processes === 1 ? 'process' : 'processes'}`;
    ctx.print(
      `velos daemon ${ping.version}, pid ${ping.pid}, up ${formatDuration(ping.uptimeMs)}, ${count}, home ${ping.home}`,
    );
  }
}
