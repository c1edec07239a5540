import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCodes, VelosError } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';

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
  const candidates = targets.filter(
    (target) =>
      FILE_LIKE.test(target) && statSync(resolve(cwd, target), { throwIfNoEntry: false })?.isFile() === true,
  );
  if (candidates.length === 0) return { files: [], others: targets };
  const config = await import('@velos/core/config');
  const { isEcosystemScript } = await import('../pm2/ecosystem-file.js');
  const files = candidates.filter((target) => config.isConfigFile(target) || isEcosystemScript(target));
  return { files, others: targets.filter((target) => !files.includes(target)) };
}

/** The `input` of `velos startOr…` for one process file, with the command's `--env`, `--only`, `--update-env`. */
export function fileInput(input: CommandInput | undefined, file: string): CommandInput {
  return { options: { ...(input?.options ?? {}) }, args: [file], rest: [] };
}

/**
 * The names of the apps of a process file (after `--only`) that the daemon has: what `velos stop
 * ecosystem.config.js` and `delete` act on, as PM2 does. None of them known is TARGET_NOT_FOUND.
 */
export async function knownAppsOfFile(
  ctx: CommandContext,
  input: CommandInput | undefined,
  file: string,
  known: Set<string>,
): Promise<string[]> {
  const config = await import('@velos/core/config');
  const { startEnvironment } = await import('./start.js');
  const { specsFromConfigFile } = await import('./start-spec.js');
  const where = await startEnvironment(ctx, config);
  const specs = await specsFromConfigFile(resolve(file), fileInput(input, file), where, config);
  const names = specs.map((spec) => spec.name).filter((name) => known.has(name));
  if (names.length === 0) {
    throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches the apps of ${file}`, {
      data: { target: file },
    });
  }
  return names;
}
