import { ErrorCodes, isVelosError, type ProcessInfo } from '@velos/core';
import type { CommandContext } from '../context.js';
import { expandRegexTargets } from '../pm2/regex-targets.js';
import { printProcesses } from './print-processes.js';

/** The commands that act on targets and then show the list. */
export type ProcessAction = 'stop' | 'restart' | 'delete';

/**
 * `velos stop|restart|delete <target…>`: acts on each target in turn (a failing target does not stop
 * the others; a PM2 `/regex/` target stands for the names it matches), prints the list if anything
 * was done, and fails if any target was not found.
 */
export async function runProcessAction(
  ctx: CommandContext,
  action: ProcessAction,
  targets: string[],
  options: { updateEnv?: boolean } = {},
): Promise<void> {
  const client = await ctx.client();
  const errors: unknown[] = [];
  let done = 0;
  for (const target of targets) {
    try {
      for (const name of await expandRegexTargets([target], () => client.list(), action)) {
        await act(action, name, options, client);
      }
      done += 1;
    } catch (error) {
      if (!isVelosError(error) || error.code !== ErrorCodes.TARGET_NOT_FOUND) throw error;
      errors.push(error);
    }
  }
  if (done > 0) printProcesses(ctx, await client.list());
  // One line per failed target, in order; the last one is reported by the caller like any error.
  for (const error of errors.slice(0, -1)) process.stderr.write(`velos: ${(error as Error).message}\n`);
  if (errors.length > 0) throw errors.at(-1);
}

function act(
  action: ProcessAction,
  target: string,
  options: { updateEnv?: boolean },
  client: Awaited<ReturnType<CommandContext['client']>>,
): Promise<ProcessInfo[]> {
  if (action === 'stop') return client.stop(target);
  if (action === 'delete') return client.delete(target);
  return options.updateEnv ? client.restart(target, { env: currentEnv() }) : client.restart(target);
}

/** The environment of this `velos` call, without unset values. */
export function currentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}
