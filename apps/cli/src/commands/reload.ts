import type { ProcessInfo } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { forEachTarget, reportNotFound } from '../pm2/each-target.js';
import { checkFileOptions, expandScriptTargets, fileInput, splitFileTargets } from './file-targets.js';
import { printProcesses } from './print-processes.js';
import { currentEnv } from './process-action.js';
import { spawnFailureOf } from './start-failures.js';

/**
 * `velos reload <target…>` (SUP-6): reloads each target in turn, each process once (cluster instances one at a time,
 * fork processes restarted; a PM2 `/regex/` stands for the names it matches) and prints the list.
 * A target that matches nothing does not stop the others; any other failure is the command's error, and
 * so is a reloaded app that could not be spawned (its script or cwd gone), after the list (exit 1).
 * A process file is `startOrReload` of it (PM2's `pm2 reload ecosystem.config.js`).
 */
export async function runReload(
  ctx: CommandContext,
  targets: string[],
  options: { updateEnv?: boolean; input?: CommandInput } = {},
): Promise<void> {
  const { files, others } = await splitFileTargets(targets);
  checkFileOptions(options.input, files, 'reload');
  for (const file of files) {
    await (await import('./start.js')).runStartOr(ctx, fileInput(options.input, file), 'reload');
  }
  if (others.length === 0) return;
  const client = await ctx.client();
  const acted: ProcessInfo[] = [];
  const { done, notFound } = await forEachTarget(
    await expandScriptTargets(others, client),
    () => client.list(),
    'reload',
    async (target) => {
      const env = options.updateEnv ? { env: currentEnv() } : undefined;
      const infos = await (env ? client.reload(target, env) : client.reload(target));
      acted.push(...infos);
      return infos;
    },
    { allNeedsOne: true },
  );
  const listed = done > 0 ? await client.list() : [];
  if (done > 0) printProcesses(ctx, listed, { processes: acted });
  const failure = await spawnFailureOf(client, listed, acted);
  reportNotFound([...notFound, ...(failure ? [failure] : [])]);
}
