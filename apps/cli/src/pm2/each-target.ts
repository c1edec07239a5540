import { ErrorCodes, isVelosError, type ProcessInfo, VelosError } from '@velos/core';
import { expandRegexTargets, isRegexTarget } from './regex-targets.js';
import { wordsToAct } from './target-plan.js';

/**
 * Runs `act` on each target in turn, a PM2 `/regex/` standing for the names it matches. Several
 * targets are first matched against one process list, so that each process is acted on once, as
 * PM2 does (`velos delete 0 0 api`: the later targets naming a deleted process are no error). A
 * target that matches nothing does not stop the others (PM2 acts on the rest too): each is reported
 * on stderr as one line and the last is thrown at the end; any other error is thrown at once.
 * Resolves how many targets were acted on. With `allNeedsOne`, `all` acting on no process is not
 * found too (PM2's `stop/restart/reload/delete all` exit 1 with "No process found"). `isMiss` names
 * other errors that concern one target only (signal: it has no running process), reported the same way.
 * A target acted on in parts (the names of a regex, the ids left of a namespace after an earlier
 * target) misses only when every part does: `signal HUP /^api/` with api-admin stopped reaches api.
 */
export async function forEachTarget(
  targets: string[],
  list: () => Promise<ProcessInfo[]>,
  command: string,
  act: (target: string) => Promise<unknown>,
  options: { allNeedsOne?: boolean; isMiss?: (error: unknown) => boolean } = {},
): Promise<{ done: number; notFound: unknown[] }> {
  const isTargetMiss = (error: unknown) => isNotFound(error) || options.isMiss?.(error) === true;
  const notFound: unknown[] = [];
  let done = 0;
  // one target that is no regex is the daemon's to match: no list is read for it
  const before = targets.length > 1 || targets.some(isRegexTarget) ? await list() : null;
  const acted = new Set<number>();
  for (const target of targets) {
    try {
      const names =
        before === null ? [target] : await expandRegexTargets([target], async () => before, command);
      const words = names.flatMap((name) => (before === null ? [name] : wordsToAct(before, name, acted)));
      let firstMiss: unknown = null;
      let hits = 0;
      for (const word of words) {
        try {
          const result = await act(word);
          if (options.allNeedsOne && word === 'all' && Array.isArray(result) && result.length === 0)
            throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, "no process matches 'all': there are none");
          hits += 1;
        } catch (error) {
          if (words.length === 1 || !isTargetMiss(error)) throw error;
          firstMiss ??= error;
        }
      }
      if (hits === 0 && firstMiss !== null) throw firstMiss;
      done += 1;
    } catch (error) {
      if (isTargetMiss(error)) notFound.push(error);
      else throw error;
    }
  }
  return { done, notFound };
}

function isNotFound(error: unknown): boolean {
  return isVelosError(error) && error.code === ErrorCodes.TARGET_NOT_FOUND;
}

/** Reports the targets `forEachTarget` did not find (and a failure given after them): one stderr line each, the last thrown (exit 1). */
export function reportNotFound(notFound: unknown[]): void {
  for (const error of notFound.slice(0, -1)) process.stderr.write(`velos: ${(error as Error).message}\n`);
  if (notFound.length > 0) throw notFound.at(-1);
}
