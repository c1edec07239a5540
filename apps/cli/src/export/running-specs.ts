import { type AppSpec, ErrorCodes, isVelosError, type ProcessInfo, VelosError } from '@velos/core';
import type { CommandContext } from '../context.js';

/** The apps of the daemon as `velos export --running` exports them. */
export interface RunningSpecs {
  specs: AppSpec[];
  /** Apps whose every process is stopped, exported as `autostart = false` (their `autostart` was not already false). */
  stopped: string[];
}

/**
 * The specs of the apps the daemon runs (`velos export --running`), as it runs them: `config.get` of
 * each app `list` names, with its env values as they are (the export moves the ones that look secret
 * to a file of their own). An app whose every process is stopped is exported as `autostart = false`
 * (not started at boot, as the daemon's own restore keeps it stopped). Never starts a daemon: none
 * running is a one-line error.
 */
export async function loadRunningSpecs(ctx: CommandContext): Promise<RunningSpecs> {
  const client = await ctx.client({ autoStart: false });
  let processes: ProcessInfo[];
  try {
    processes = await client.list();
  } catch (error) {
    if (!isVelosError(error) || error.code !== ErrorCodes.DAEMON_UNAVAILABLE) throw error;
    throw new VelosError(
      ErrorCodes.DAEMON_UNAVAILABLE,
      `export --running: no Velos daemon runs for ${ctx.home}: start the apps to export, or give their config file`,
      { cause: error },
    );
  }
  const names = [...new Set(processes.map((process) => process.name))];
  if (names.length === 0) {
    throw new VelosError(
      ErrorCodes.TARGET_NOT_FOUND,
      `export --running: the daemon of ${ctx.home} has no app: nothing to export`,
    );
  }
  const isStopped = (name: string) =>
    processes.every((process) => process.name !== name || process.status === 'stopped');
  const specs: AppSpec[] = [];
  const stopped: string[] = [];
  for (const name of names) {
    // a spec without ownEnv has no env of its own to tell apart from what the daemon gave it: none is exported
    const spec = { ...(await client.configGet(name)) };
    spec.ownEnv ??= {};
    if (isStopped(name) && spec.autostart !== false) {
      spec.autostart = false;
      stopped.push(name);
    }
    specs.push(spec);
  }
  return { specs, stopped };
}
