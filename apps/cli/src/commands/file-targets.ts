import { resolve } from 'node:path';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { argumentError } from '../parse-argv.js';
import { isFile } from '../safe-stat.js';

/** What script targets need of the daemon: the list, and the specs of every process. */
interface ScriptTargetClient {
  list(): Promise<{ name: string }[]>;
  describe(target: string): Promise<{ name: string; spec: { script: string; cwd: string } }[]>;
}

// What a process file may be named: checked before anything heavy is loaded.
const FILE_LIKE = /\.(?:[cm]?js|json|ya?ml|toml)$/i;

/**
 * Splits the targets of stop/restart/reload/delete into process files (PM2's `pm2 reload
 * ecosystem.config.js`: an existing file named like a config or ecosystem file) and the others.
 */
export async function splitFileTargets(
  targets: string[],
  cwd = process.cwd(),
): Promise<{ files: string[]; others: string[] }> {
  const candidates = targets.filter((target) => FILE_LIKE.test(target) && isFile(resolve(cwd, target)));
  if (candidates.length === 0) return { files: [], others: targets };
  const config = await import('@velos/core/config');
  const { isEcosystemScript } = await import('../pm2/ecosystem-file.js');
  const files = candidates.filter((target) => config.isConfigFile(target) || isEcosystemScript(target));
  return { files, others: targets.filter((target) => !files.includes(target)) };
}

/**
 * `--env` and `--only` choose from a process file: with none among the targets they would be dropped
 * in silence (`velos restart api --env production` keeps api's env), so they are refused, as PM2
 * refuses `--env` without its ecosystem file.
 */
export function checkFileOptions(input: CommandInput | undefined, files: string[], command: string): void {
  if (files.length > 0) return;
  for (const option of ['env', 'only'] as const) {
    const value = input?.options[option];
    if (typeof value !== 'string') continue;
    const targets = input?.args ?? [];
    const which = targets.length === 1 ? `${targets[0]} is not one` : `${targets.join(', ')} are not`;
    throw argumentError(
      `--${option} applies to a process file target (velos ${command} ecosystem.config.js --${option} ${value}); ${which}`,
    );
  }
}

/** The `input` of `velos startOr…` for one process file, with the command's `--env`, `--only`, `--update-env`. */
export function fileInput(input: CommandInput | undefined, file: string): CommandInput {
  return { options: { ...(input?.options ?? {}) }, args: [file], rest: [] };
}

/**
 * The apps of a process file (after `--only`), and those of them the daemon has: what `velos stop
 * ecosystem.config.js` and `delete` act on, as PM2 does. None of them known acts on nothing and is
 * no error, as in PM2 (6.0.14 exits 0): `pm2 delete ecosystem.config.js` cleans up before a start.
 * The file's warnings (unknown or ignored options, an env_<profile> missing) are about starting its
 * apps: a stop or delete reads it for their names alone, so it does not repeat them.
 */
export async function knownAppsOfFile(
  ctx: CommandContext,
  input: CommandInput | undefined,
  file: string,
  known: Set<string>,
): Promise<{ apps: string[]; known: string[] }> {
  const config = await import('@velos/core/config');
  const { startEnvironment } = await import('./start.js');
  const { specsFromConfigFile } = await import('./start-spec.js');
  const where = { ...(await startEnvironment(ctx, config)), isForNames: true };
  const specs = await specsFromConfigFile(resolve(file), fileInput(input, file), where, config);
  const apps = specs.map((spec) => spec.name);
  return { apps, known: apps.filter((name) => known.has(name)) };
}

/** The line of a stop or delete of a process file none of whose apps the daemon has. */
export function noAppOfFileLine(file: string, apps: readonly string[], action: string): string {
  const shown = apps.length > 5 ? `${apps.slice(0, 5).join(', ')}…` : apps.join(', ');
  return `no app of ${file} is in the process list (${shown}): nothing to ${action}`;
}

/**
 * PM2's script targets (`pm2 restart app.js`, `pm2 stop ./server.js`): an existing file that is no
 * process name stands for every app whose script is that file. Other targets stay as they are.
 */
export async function expandScriptTargets(
  targets: string[],
  client: ScriptTargetClient,
  cwd = process.cwd(),
): Promise<string[]> {
  const files = targets.filter((target) => !/^\d+$/.test(target) && isFile(resolve(cwd, target)));
  if (files.length === 0) return targets;
  const names = new Set((await client.list()).map((info) => info.name));
  if (files.every((file) => names.has(file))) return targets;
  const details = await client.describe('all');
  const out: string[] = [];
  for (const target of targets) {
    const path = resolve(cwd, target);
    const matching =
      files.includes(target) && !names.has(target)
        ? details.filter((d) => resolve(d.spec.cwd, d.spec.script) === path).map((d) => d.name)
        : [];
    const add = matching.length > 0 ? matching : [target];
    for (const name of add) if (!out.includes(name)) out.push(name);
  }
  return out;
}
