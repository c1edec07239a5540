import { type AppSpec, ErrorCodes, isVelosError, VelosError } from '@velos/core';
import type { CommandContext } from '../context.js';

/**
 * The specs of the apps the daemon runs (`velos export --running`), as it runs them: `config.get` of
 * each app `list` names, with its env values as they are (the export moves the ones that look secret
 * to a file of their own). Never starts a daemon: none running is a one-line error.
 */
export async function loadRunningSpecs(ctx: CommandContext): Promise<AppSpec[]> {
  const client = await ctx.client({ autoStart: false });
  let names: string[];
  try {
    names = [...new Set((await client.list()).map((process) => process.name))];
  } catch (error) {
    if (!isVelosError(error) || error.code !== ErrorCodes.DAEMON_UNAVAILABLE) throw error;
    throw new VelosError(
      ErrorCodes.DAEMON_UNAVAILABLE,
      `export --running: no Velos daemon runs for ${ctx.home}: start the apps to export, or give their config file`,
      { cause: error },
    );
  }
  if (names.length === 0) {
    throw new VelosError(
      ErrorCodes.TARGET_NOT_FOUND,
      `export --running: the daemon of ${ctx.home} has no app: nothing to export`,
    );
  }
  const specs: AppSpec[] = [];
  for (const name of names) specs.push(await client.configGet(name));
  // a spec without ownEnv has no env of its own to tell apart from what the daemon gave it: none is exported
  return specs.map((spec) => ({ ...spec, ownEnv: spec.ownEnv ?? {} }));
}
