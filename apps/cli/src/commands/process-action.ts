import type { ProcessInfo } from '@velos/core';
import type { CommandContext } from '../context.js';
import { forEachTarget, reportNotFound } from '../pm2/each-target.js';
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
  const { done, notFound } = await forEachTarget(
    targets,
    () => client.list(),
    action,
    (target) => act(action, target, options, client),
    { allNeedsOne: true },
  );
  if (done > 0) printProcesses(ctx, await client.list());
  reportNotFound(notFound);
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
