import { ErrorCodes, normalizeAppName, type ProcessInfo, TARGET_MAX_CHARS, VelosError } from '@velos/core';
import { usageError } from '../parse-argv.js';

/**
 * Expands PM2's `/regex/` targets into the names of the apps they match (in id order), keeping every
 * other target as it is; the list is read once, only when a regex is given. The daemon resolves a
 * `/regex/` target the same way for REST and MCP; the CLI expands it itself for the commands that
 * act name by name (describe, env, scale, one line per target), and refuses what the daemon refuses
 * (`checkAsDaemon`). A regex that matches nothing is TARGET_NOT_FOUND, like any target.
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

// The daemon's rule for a /regex/ target (supervisor's targets.ts and grep-pattern.ts): V8's
// linear-time fallback cannot run backreferences and lookarounds, so the daemon refuses them.
const UNSAFE = /\\[1-9]|\\k<|\(\?<?[=!]/;

function compile(target: string, command: string): RegExp {
  // in the spelling names have (NFC), so that `/café/` typed with a combining accent matches
  const source = normalizeAppName(target.slice(1, -1));
  checkAsDaemon(target, source, command);
  try {
    return new RegExp(source);
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '';
    throw usageError(`${target} is not a valid regular expression: ${why}`, command);
  }
}

/**
 * Refuses a `/regex/` the daemon refuses, in the daemon's words: one over a target's 200 characters,
 * one with a backreference or lookaround (the CLI ran `/(?=api)/` and `/(a)\1/`, which REST and MCP
 * are refused; `/(a)\1/` then matched no name).
 */
function checkAsDaemon(target: string, source: string, command: string): void {
  if (target.length > TARGET_MAX_CHARS) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `${command}: target: expected at most ${TARGET_MAX_CHARS} characters, got ${target.length}`,
      { data: { field: 'target' } },
    );
  }
  if (UNSAFE.test(source)) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `target ${target}: backreferences (\\1, \\k<name>) and lookarounds ((?=, (?!, (?<=, (?<!) are not supported, got ${JSON.stringify(source)}`,
    );
  }
}
