import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type AppSpec, isVelosError, type VelosError } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { argumentError } from '../parse-argv.js';
import { printProcesses } from './print-processes.js';

const LABEL = 'velos watchdog';

/** What a `processes[0].<key>` error of the config loader is called on this command line. */
const ARGUMENT_NAMES: Record<string, string> = {
  name: '--name',
  command: 'command',
  log_file: 'log file',
  timeout: 'timeout',
  interval: 'interval',
};

/**
 * `velos watchdog "<command>" <log file> [timeout] [interval]` (SUP-10): starts one app with a
 * log-inactivity watchdog, built exactly like one entry of the `processes:` config form.
 */
export async function runWatchdog(ctx: CommandContext, input: CommandInput): Promise<void> {
  const config = await import('@velos/core/config');
  const [command, logFile, timeout, interval] = input.args as [string, string, string?, string?];
  const cwd = process.cwd();
  const entry: Record<string, unknown> = { command, log_file: resolve(cwd, logFile) };
  if (typeof input.options.name === 'string') entry.name = input.options.name;
  if (timeout !== undefined) entry.timeout = timeout;
  if (interval !== undefined) entry.interval = interval;
  let specs: AppSpec[];
  try {
    specs = config.validateConfig({ processes: [entry] }, LABEL, {
      baseDir: cwd,
      baseEnv: definedEnv(process.env),
      cpuCount: availableParallelism(),
    });
  } catch (error) {
    throw isVelosError(error) ? asArgumentError(error) : error;
  }
  const client = await ctx.client();
  await client.start(specs);
  printProcesses(ctx, await client.list());
}

/** `velos watchdog: processes[0].timeout: …` → `timeout: …`, as the CLI reports a bad flag. */
function asArgumentError(error: VelosError): VelosError {
  const message = error.message.replace(
    /^velos watchdog: processes\[0\]\.(\w+)/,
    (whole, key: string) => ARGUMENT_NAMES[key] ?? whole,
  );
  return argumentError(message, { cause: error });
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
