import { ErrorCodes, isVelosError } from '@velos/core';
import type { CommandContext } from '../context.js';
import { usageError } from '../parse-argv.js';
import { printProcesses } from './print-processes.js';

// What `velos scale` takes, as the daemon's protocol does: N (1 or more), +N or -N, at most 4 digits.
const COUNT = /^([+-]?)(\d{1,4})$/;
/** Most instances one app may have (the daemon's limit). */
const MAX_INSTANCES = 1024;

/**
 * `velos scale <app> <n|+n|-n>` (SUP-5): sets the app's instance count and prints the list. A count
 * that is no N, +N or -N, or that leads outside 1 to 1024 instances, is a usage error (exit 2): N is
 * checked before the daemon is asked, +N and -N by the daemon against the app's current count.
 */
export async function runScale(ctx: CommandContext, name: string, count: string): Promise<void> {
  const match = COUNT.exec(count);
  if (!match)
    throw usageError(
      `expected a whole number of instances N (1 to ${MAX_INSTANCES}), +N or -N, got ${JSON.stringify(count)}`,
      'scale',
    );
  const n = Number(match[2]);
  if (match[1] === '' && (n === 0 || n > MAX_INSTANCES)) {
    throw usageError(
      `scale ${name}: ${n} instances; expected 1 to ${MAX_INSTANCES} (stop or delete the app to run none)`,
      'scale',
    );
  }
  const client = await ctx.client();
  await client.scale(name, count).catch(asCountError);
  printProcesses(ctx, await client.list());
}

/**
 * The daemon's refusal of a +N or -N that leads outside 1 to 1024 instances (INVALID_ARGUMENT about
 * the field `instances`: `-5 gives -4 instances (it has 1)`) is a usage error, as `0` is; a target of
 * several apps or of none stays exit 1.
 */
function asCountError(error: unknown): never {
  const data = isVelosError(error) ? (error.data as { field?: unknown } | undefined) : undefined;
  if (isVelosError(error) && error.code === ErrorCodes.INVALID_ARGUMENT && data?.field === 'instances')
    throw usageError(error.message, 'scale');
  throw error;
}
