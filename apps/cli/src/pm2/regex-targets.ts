import {
  checkRegexSource,
  compileRegexSource,
  ErrorCodes,
  isRegexTarget,
  normalizeAppName,
  type ProcessInfo,
  regexTargetError,
  TARGET_MAX_CHARS,
  VelosError,
} from '@velos/core';
import { USAGE_EXIT_CODE } from '../parse-argv.js';

export { isRegexTarget };

/**
 * Expands PM2's `/regex/` targets into the names of the apps they match (in id order), keeping every
 * other target as it is; the list is read once, only when a regex is given. The daemon resolves a
 * `/regex/` target the same way for REST and MCP; the CLI expands it itself for the commands that
 * act name by name (describe, env, scale, one line per target), and refuses what the daemon refuses
 * (core's `checkRegexSource`). A regex that matches nothing is TARGET_NOT_FOUND, like any target.
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

function compile(target: string, command: string): RegExp {
  if (target.length > TARGET_MAX_CHARS) {
    // the protocol's schema refuses it before the daemon reads it as a regex, in these words
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `${command}: target: expected at most ${TARGET_MAX_CHARS} characters, got ${target.length}`,
      { data: { field: 'target' } },
    );
  }
  // in the spelling names have (NFC), so that `/café/` typed with a combining accent matches
  const source = normalizeAppName(target.slice(1, -1));
  try {
    // the daemon's rule (core's regex-rule.ts): no backreference or lookaround, which REST and MCP
    // are refused (the CLI ran `/(?=api)/` and `/(a)\1/`)
    checkRegexSource('target', source, TARGET_MAX_CHARS);
  } catch (error) {
    throw regexTargetError(target, error);
  }
  try {
    return compileRegexSource('target', source);
  } catch (error) {
    // the daemon's words, with the exit code of a usage error, as before
    const refused = regexTargetError(target, error);
    throw new VelosError(refused.code, refused.message, { data: { exitCode: USAGE_EXIT_CODE } });
  }
}
