import { ErrorCodes, isVelosError, type ProcessInfo } from '@velos/core';
import { expandRegexTargets } from '../pm2/regex-targets.js';
import { matchProcesses } from '../pm2/target-plan.js';

/**
 * SUP-12 for `velos stop|restart|delete` of several targets or a `/regex/`: every target (a regex
 * standing for the names it matches) is matched against one process list, and those that match are
 * sent as one selection, which the daemon stops in `depends_on` waves (dependents first) as it does
 * `stop all`, or whose stopped apps it starts dependencies first as `restart all`; name by name,
 * `velos stop db api` stopped db under api and `velos restart web api db` of a stopped stack started
 * web before what it depends on. A target that matches nothing here is sent
 * alone (the daemon says what is wrong, or drops a saved app never restored) and does not stop the
 * others, as `forEachTarget` does. Resolves how many targets were acted on and the misses to report.
 */
export async function actOnSelection(
  targets: string[],
  list: () => Promise<ProcessInfo[]>,
  command: string,
  act: (target: string | string[]) => Promise<unknown>,
): Promise<{ done: number; notFound: unknown[] }> {
  const notFound: unknown[] = [];
  const before = await list();
  const known: string[][] = [];
  const unknown: string[] = [];
  for (const target of targets) {
    try {
      const names = await expandRegexTargets([target], async () => before, command);
      if (names.every((name) => matchProcesses(before, name).length > 0)) known.push(names);
      else unknown.push(target);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      notFound.push(error);
    }
  }
  let done = 0;
  // a target deleted by someone else since the list was read fails the selection: it goes without it
  let words = [...new Set(known.flat())];
  while (words.length > 0) {
    try {
      await act(words);
      done += known.length;
      break;
    } catch (error) {
      // a daemon from before lists of targets (until velos update) takes them one by one
      if (isOneTargetDaemon(error)) {
        unknown.unshift(...words);
        break;
      }
      const missed = isNotFound(error) ? (error.data as { target?: unknown } | undefined)?.target : undefined;
      if (typeof missed !== 'string' || !words.includes(missed)) throw error;
      notFound.push(error);
      words = words.filter((word) => word !== missed);
      known.splice(0, known.length, ...known.filter((names) => !names.includes(missed)));
    }
  }
  for (const target of unknown) {
    try {
      await act(target);
      done += 1;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      notFound.push(error);
    }
  }
  return { done, notFound };
}

/** A daemon older than lists of targets refuses one: `stop: target: expected a string, got [...]`. */
function isOneTargetDaemon(error: unknown): boolean {
  if (!isVelosError(error) || error.code !== ErrorCodes.INVALID_ARGUMENT) return false;
  return (error.data as { field?: unknown } | undefined)?.field === 'target';
}

function isNotFound(error: unknown): error is Error & { data?: unknown } {
  return isVelosError(error) && error.code === ErrorCodes.TARGET_NOT_FOUND;
}
