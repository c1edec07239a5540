import { ErrorCodes, normalizeAppName, type ProcessInfo, VelosError } from '@velos/core';
import { usageError } from '../parse-argv.js';

/**
 * Expands PM2's `/regex/` targets into the names of the apps they match (in id order), keeping every
 * other target as it is; the list is read once, only when a regex is given. The regex runs here, in
 * the CLI, never in the daemon, so a slow pattern cannot stall it. A regex that matches nothing is
 * TARGET_NOT_FOUND, like any target.
 */
export async function expandRegexTargets(
  targets: string[],
  list: () => Promise<ProcessInfo[]>,
  command: string,
): Promise<string[]> {
  if (!targets.some(isRegexTarget)) return targets;
  const processes = (await list()).sort((a, b) => a.id - b.id);
  const expanded: string[] = [];
  for (const target of targets) {
    if (!isRegexTarget(target)) {
      expanded.push(target);
      continue;
    }
    const pattern = compile(target, command);
    const names = [...new Set(processes.map((info) => info.name).filter((name) => pattern.test(name)))];
    if (names.length === 0) {
      throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process name matches ${target}`, {
        data: { target },
      });
    }
    expanded.push(...names.filter((name) => !expanded.includes(name)));
  }
  return expanded;
}

/**
 * The targets one target stands for in a command that takes one (describe, env, flush): the names a
 * `/regex/` matches, in id order (the list read only then), any other target as it is.
 * @example for (const name of await targetsOf('/^api-/', () => client.list(), 'describe')) …
 */
export function targetsOf(
  target: string,
  list: () => Promise<ProcessInfo[]>,
  command: string,
): Promise<string[]> {
  return expandRegexTargets([target], list, command);
}

/** True for `/…/` (PM2's regex target): at least one character between the slashes. */
export function isRegexTarget(target: string): boolean {
  return target.length > 2 && target.startsWith('/') && target.endsWith('/');
}

function compile(target: string, command: string): RegExp {
  try {
    // in the spelling names have (NFC), so that `/café/` typed with a combining accent matches
    return new RegExp(normalizeAppName(target.slice(1, -1)));
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '';
    throw usageError(`${target} is not a valid regular expression: ${why}`, command);
  }
}
