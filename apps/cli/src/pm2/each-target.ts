import { ErrorCodes, isVelosError, type ProcessInfo } from '@velos/core';
import { expandRegexTargets } from './regex-targets.js';

/**
 * Runs `act` on each target in turn, a PM2 `/regex/` standing for the names it matches. A target
 * that matches nothing does not stop the others (PM2 acts on the rest too): each is reported on
 * stderr as one line and the last is thrown at the end; any other error is thrown at once. Resolves
 * how many targets were acted on.
 */
export async function forEachTarget(
  targets: string[],
  list: () => Promise<ProcessInfo[]>,
  command: string,
  act: (target: string) => Promise<unknown>,
): Promise<{ done: number; notFound: unknown[] }> {
  const notFound: unknown[] = [];
  let done = 0;
  for (const target of targets) {
    try {
      for (const name of await expandRegexTargets([target], list, command)) await act(name);
      done += 1;
    } catch (error) {
      if (!isVelosError(error) || error.code !== ErrorCodes.TARGET_NOT_FOUND) throw error;
      notFound.push(error);
    }
  }
  return { done, notFound };
}

/** Reports the targets `forEachTarget` did not find: one stderr line each, the last thrown (exit 1). */
export function reportNotFound(notFound: unknown[]): void {
  for (const error of notFound.slice(0, -1)) process.stderr.write(`velos: ${(error as Error).message}\n`);
  if (notFound.length > 0) throw notFound.at(-1);
}
