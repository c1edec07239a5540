import { ErrorCodes, isVelosError, type VelosControl } from '@velos/core';
import { hasWatchMode } from '@velos/core/ai';
import { expandRegexTargets } from '../pm2/regex-targets.js';
import { matchProcesses } from '../pm2/target-plan.js';

/** The commands that take PM2's `--watch`. */
export type WatchFlagCommand = 'stop' | 'restart';

/**
 * PM2's `--watch` on stop and restart, before the action: `velos stop api --watch` turns the watch
 * mode of the targets' apps off, `velos restart api --watch` toggles it (on where it is off, off where
 * it is on), each app once, as `velos config set <app> watch=…` does it (in place: no process is
 * started or stopped for it). A target that matches nothing is left to the action, which reports it.
 */
export async function setWatchOfTargets(
  client: Pick<VelosControl, 'list' | 'configSet'>,
  targets: readonly string[],
  command: WatchFlagCommand,
): Promise<void> {
  const processes = await client.list();
  const isWatched = new Map<string, boolean>();
  for (const target of targets) {
    let names: string[];
    try {
      names = await expandRegexTargets([target], async () => processes, command);
    } catch (error) {
      if (isVelosError(error) && error.code === ErrorCodes.TARGET_NOT_FOUND) continue;
      throw error;
    }
    for (const name of names)
      for (const p of matchProcesses(processes, name)) isWatched.set(p.name, hasWatchMode(p));
  }
  for (const [name, wasWatched] of isWatched) {
    const watch = command === 'restart' && !wasWatched;
    if (watch !== wasWatched) await client.configSet(name, { watch });
  }
}
