import { ErrorCodes, isVelosError, type ProcessInfo, VelosError } from '@velos/core';
import type { CommandContext } from '../context.js';
import { usageError } from '../parse-argv.js';
import { expandRegexTargets, isRegexTarget } from '../pm2/regex-targets.js';
import { printProcesses } from './print-processes.js';

// What `velos scale` takes, as the daemon's protocol does: N (1 or more), +N or -N, at most 4 digits.
const COUNT = /^([+-]?)(\d{1,4})$/;
/** Most instances one app may have (the daemon's limit). */
const MAX_INSTANCES = 1024;

/**
 * `velos scale <app> <n|+n|-n>` (SUP-5): sets the app's instance count and prints the list. A count
 * that is no N, +N or -N, or that leads outside 1 to 1024 instances, is a usage error (exit 2): N is
 * checked before the daemon is asked, +N and -N by the daemon against the app's current count. A
 * PM2 `/regex/` stands for the one app whose name it matches (several are refused, as `all` is).
 */
export async function runScale(ctx: CommandContext, name: string, count: string): Promise<void> {
  const match = COUNT.exec(count);
  if (!match) {
    // `velos scale 4 api`: the words swapped
    const hint = COUNT.test(name) ? `; the app goes first: velos scale ${count} ${name}` : '';
    throw usageError(
      `expected a whole number of instances N (1 to ${MAX_INSTANCES}), +N or -N, got ${JSON.stringify(count)}${hint}`,
      'scale',
    );
  }
  const n = Number(match[2]);
  if (match[1] === '' && (n === 0 || n > MAX_INSTANCES)) {
    throw usageError(
      `scale ${name}: ${n} instances; expected 1 to ${MAX_INSTANCES} (stop or delete the app to run none)`,
      'scale',
    );
  }
  const client = await ctx.client();
  const app = isRegexTarget(name) ? await oneAppOf(name, () => client.list()) : name;
  await client.scale(app, count).catch(asCountError);
  printProcesses(ctx, await client.list(), { names: new Set([app]) });
}

/**
 * The one app name a `/regex/` matches; none is TARGET_NOT_FOUND, several INVALID_ARGUMENT (exit 1,
 * as the daemon refuses `all` or a namespace of several apps).
 */
export async function oneAppOf(regex: string, list: () => Promise<ProcessInfo[]>): Promise<string> {
  const names = await expandRegexTargets([regex], list, 'scale');
  if (names.length === 1) return names[0]!;
  throw new VelosError(
    ErrorCodes.INVALID_ARGUMENT,
    `'${regex}' selects ${names.length} apps (${names.join(', ')}); scale takes one app name`,
    { data: { target: regex } },
  );
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
