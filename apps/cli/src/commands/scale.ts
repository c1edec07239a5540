import type { CommandContext } from '../context.js';
import { usageError } from '../parse-argv.js';
import { printProcesses } from './print-processes.js';

// What `velos scale` takes, as the daemon's protocol does: N (1 or more), +N or -N, at most 4 digits.
const COUNT = /^([+-]?)(\d{1,4})$/;

/**
 * `velos scale <app> <n|+n|-n>` (SUP-5): sets the app's instance count and prints the list. A count
 * that is no N, +N or -N, or an absolute 0, is a usage error (exit 2) before the daemon is asked.
 */
export async function runScale(ctx: CommandContext, name: string, count: string): Promise<void> {
  const match = COUNT.exec(count);
  if (!match)
    throw usageError(
      `expected a whole number of instances N (1 to 1024), +N or -N, got ${JSON.stringify(count)}`,
      'scale',
    );
  if (match[1] === '' && Number(match[2]) === 0) {
    throw usageError('0 instances: expected 1 or more (stop or delete the app to run none)', 'scale');
  }
  const client = await ctx.client();
  await client.scale(name, count);
  printProcesses(ctx, await client.list());
}
