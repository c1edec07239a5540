import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type AlertRule, type AppSpec, ErrorCodes, isVelosError, type ProcessInfo } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { printProcesses } from './print-processes.js';
import {
  findOnPath,
  hasAppOptions,
  notFound,
  resolveStartTarget,
  type StartEnvironment,
  specsFromConfigFile,
  specsFromFlags,
} from './start-spec.js';

/**
 * `velos start <script|"command line"|config file>`: validates everything before talking to the
 * daemon (a bad config never starts one), starts the apps, and prints the list.
 */
export async function runStart(ctx: CommandContext, input: CommandInput): Promise<void> {
  const config = await import('@velos/core/config');
  const where: StartEnvironment = { cwd: process.cwd(), env: process.env, cpuCount: availableParallelism() };
  // CFG-2: [defaults] of config.toml apply to every app started from now on (an invalid file stops the start)
  const daemonConfig = await config.loadDaemonConfig(join(ctx.home, 'config.toml'));
  if (daemonConfig && Object.keys(daemonConfig.defaults).length > 0) where.defaults = daemonConfig.defaults;
  const arg = input.args[0]!;
  const target = resolveStartTarget(arg, input, where, config);
  let specs: AppSpec[];
  let alerts: AlertRule[] | null = null;
  if (target.kind === 'config') {
    specs = await specsFromConfigFile(target.path, input, where, config);
    // OBS-3: the file's [[alerts]] are checked before anything starts; they replace the file's rules after
    alerts = await config.loadConfigAlerts(target.path);
  } else if (target.kind === 'script') {
    specs = specsFromFlags(target.script, input, where, config);
  } else {
    if (!input.options['dry-run'] && !hasAppOptions(input) && (await startExisting(ctx, target.word))) return;
    if (findOnPath(target.word, where.env) === null) throw notFound(target.word);
    specs = specsFromFlags(target.word, input, where, config);
  }

  if (input.options['dry-run']) {
    ctx.printJson(specs.map(({ env, ownEnv: _own, ...spec }) => ({ ...spec, envKeys: Object.keys(env) })));
    return;
  }
  const client = await ctx.client();
  await client.start(specs);
  if (target.kind === 'config') {
    // a daemon from before alerts answers UNKNOWN_COMMAND: harmless while the file has no rules
    await client.setAlerts(resolve(target.path), alerts ?? []).catch((error: unknown) => {
      if (alerts !== null || !isVelosError(error) || error.code !== ErrorCodes.UNKNOWN_COMMAND) throw error;
    });
  }
  printProcesses(ctx, await client.list());
}

/** Starts the stopped or errored processes named by `word` (name or id); false if none has it. */
async function startExisting(ctx: CommandContext, word: string): Promise<boolean> {
  const client = await ctx.client();
  const processes = await client.list();
  const matches = processes.filter((p) => p.name === word || String(p.id) === word);
  if (matches.length === 0) return false;
  const idle = matches.filter((p: ProcessInfo) => p.status === 'stopped' || p.status === 'errored');
  for (const p of idle) await client.restart(String(p.id));
  printProcesses(ctx, await client.list());
  return true;
}
