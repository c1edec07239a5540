import { type DeleteResult, ErrorCodes, type ForgottenApp, type ProcessInfo, VelosError } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { type CommandContext, printWarnings } from '../context.js';
import { forEachTarget, reportNotFound } from '../pm2/each-target.js';
import { isRegexTarget } from '../pm2/regex-targets.js';
import {
  checkFileOptions,
  expandScriptTargets,
  fileInput,
  knownAppsOfFile,
  noAppOfFileLine,
  splitFileTargets,
} from './file-targets.js';
import { actOnSelection } from './one-selection.js';
import { printProcesses } from './print-processes.js';
import { spawnFailureOf } from './start-failures.js';

/** The commands that act on targets and then show the list. */
export type ProcessAction = 'stop' | 'restart' | 'delete';

/**
 * `velos stop|restart|delete <target…>`: acts on the targets, each process once (a failing target does
 * not stop the others; a PM2 `/regex/` target stands for the names it matches), prints the list if
 * anything was done, and fails if any target was not found. Several targets are one selection
 * (`actOnSelection`): stop and delete go in `depends_on` waves, a restart starts the stopped apps each
 * after the apps it depends on, as `restart all` does. A delete that
 * dropped saved apps never restored says so (they have no row to list). A process file stands for its apps, as in PM2:
 * `restart ecosystem.config.js` is `startOrRestart` (the file's spec and `--env`, apps not running
 * started), `stop`/`delete` act on its apps that the daemon has. PM2's `--watch` turns the apps'
 * watch mode off (stop) or toggles it (restart) before the action. A restarted app that could not be
 * spawned (its script or cwd gone) is the command's error after the list, as for `start` (exit 1).
 */
export async function runProcessAction(
  ctx: CommandContext,
  action: ProcessAction,
  targets: string[],
  options: { updateEnv?: boolean; input?: CommandInput } = {},
): Promise<void> {
  const { files, others } = await splitFileTargets(targets);
  checkFileOptions(options.input, files, action);
  const client = await ctx.client();
  const fromFiles: string[] = [];
  for (const file of files) {
    if (action === 'restart') {
      await (await import('./start.js')).runStartOr(ctx, fileInput(options.input, file), 'restart');
      continue;
    }
    const names = new Set((await client.list()).map((info) => info.name));
    // `stop ecosystem.config.js --watch` is about the apps' watch mode, not an app flag for the file
    const { apps, known } = await knownAppsOfFile(ctx, withoutWatch(options.input), file, names);
    // as PM2: a file none of whose apps runs is nothing to do, not an error (a deploy's clean-up)
    if (known.length === 0) printWarnings([noAppOfFileLine(file, apps, action)]);
    fromFiles.push(...known);
  }
  if (files.length > 0 && others.length === 0 && fromFiles.length === 0) return;
  const named = [
    ...(await expandScriptTargets(others, client)),
    ...fromFiles.filter((name, i) => fromFiles.indexOf(name) === i),
  ];
  // PM2's stop --watch and restart --watch: the apps' watch mode first (off, or toggled), in place
  if (options.input?.options.watch === true && action !== 'delete' && named.length > 0)
    await (await import('./watch-flag.js')).setWatchOfTargets(client, named, action);
  const acted: ProcessInfo[] = [];
  const forgotten: ForgottenApp[] = [];
  const actOn = async (target: string | string[]) => {
    const result = await act(action, target, options, client);
    acted.push(...result.processes);
    forgotten.push(...(result.forgotten ?? []));
    // PM2's stop/delete all exit 1 with "No process found"; a delete all that dropped saved apps did something
    if (target === 'all' && result.processes.length === 0 && (result.forgotten ?? []).length === 0)
      throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, "no process matches 'all': there are none");
  };
  const list = () => client.list();
  // SUP-12: several targets are one selection: stopped in depends_on waves, or started dependencies first
  const isOneSelection = named.length > 1 || named.some(isRegexTarget);
  const { done, notFound } = isOneSelection
    ? await actOnSelection(named, list, action, actOn)
    : await forEachTarget(named, list, action, actOn);
  printForgotten(ctx, forgotten);
  const listed = done > 0 ? await client.list() : [];
  if (done > 0) printProcesses(ctx, listed, { processes: acted });
  const failure = action === 'restart' ? await spawnFailureOf(client, listed, acted) : null;
  reportNotFound([...notFound, ...(failure ? [failure] : [])]);
}

async function act(
  action: ProcessAction,
  target: string | string[],
  options: { updateEnv?: boolean },
  client: Awaited<ReturnType<CommandContext['client']>>,
): Promise<DeleteResult> {
  if (action === 'stop') return { processes: await client.stop(target) };
  if (action === 'delete') return client.deleteResult(target);
  const processes = options.updateEnv
    ? await client.restart(target, { env: currentEnv() })
    : await client.restart(target);
  return { processes };
}

/** Says which saved apps never restored a delete dropped: they have no row in the list that follows. */
function printForgotten(ctx: CommandContext, forgotten: ForgottenApp[]): void {
  for (const app of forgotten) {
    const line = `dropped ${app.name} (id ${app.ids.join(', ')}) from the saved state: it was never restored`;
    if (ctx.mode === 'text') ctx.print(line);
    else process.stderr.write(`velos: ${line}\n`);
  }
}

/** The command's input without `--watch`, for reading the apps of a process file target. */
function withoutWatch(input: CommandInput | undefined): CommandInput | undefined {
  return input && { ...input, options: { ...input.options, watch: undefined } };
}

/** The environment of this `velos` call, without unset values. */
export function currentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}
