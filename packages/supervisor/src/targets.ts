import {
  ErrorCodes,
  isRegexTarget,
  matchTarget,
  normalizeAppName,
  regexTargetError,
  suggestKey,
  VelosError,
} from '@velos/core';
import { compileGrep } from './log-insights/grep-pattern.js';
import type { ProcessRecord } from './process-record.js';

/**
 * Resolves a target (CLI-2) to processes, sorted by id: `all`, PM2's `/regex/` of app names
 * (`namePatternOf`), a numeric id, a name (every instance) or a namespace, tried in that order;
 * nothing matching is TARGET_NOT_FOUND. Every surface (CLI, REST, MCP) sends its target as it is
 * given, so each takes a `/regex/` by this one rule.
 */
export function matchTargets(records: Iterable<ProcessRecord>, target: string): ProcessRecord[] {
  const list = [...records].sort((a, b) => a.id - b.id);
  // `all` with no process is no error (the commands say there are none)
  if (target === 'all') return list;
  const pattern = namePatternOf(target);
  if (pattern !== undefined) {
    const named = list.filter((record) => pattern.test(record.app.spec.name));
    if (named.length > 0) return named;
    throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process name matches ${target}`, {
      data: { target },
    });
  }
  const hit = matchTarget(list, target, (record) => ({
    id: record.id,
    name: record.app.spec.name,
    namespace: record.app.spec.namespace,
  }));
  if (hit.length > 0) return hit;
  throw targetNotFound(target, list);
}

/**
 * TARGET_NOT_FOUND for `target`, with the app name or namespace it was likely meant to be (one or two
 * edits away: `no process matches 'crashr' (did you mean 'crasher'?)`), so that a person or an agent
 * fixes a typo without listing the processes first; `data.meant` holds it. `detail` follows the
 * target in the message (the events filter's `, and no event names it`), before the hint.
 */
export function targetNotFound(target: string, records: Iterable<ProcessRecord>, detail = ''): VelosError {
  const known = new Set<string>();
  for (const record of records) {
    known.add(record.app.spec.name);
    known.add(record.app.spec.namespace);
  }
  const meant = suggestKey(target, [...known]);
  const hint = meant === null ? '' : ` (did you mean '${meant}'?)`;
  return new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches '${target}'${detail}${hint}`, {
    data: meant === null ? { target } : { target, meant },
  });
}

/**
 * The regex of a `/regex/` target (in the spelling names have, NFC), undefined for any other target.
 * It is compiled as a grep pattern is (`compileGrep`): at most as long as a target (200 characters),
 * no backreferences or lookarounds, and V8 reruns one that backtracks more than 1000 times on its
 * linear-time engine, so `/(a+)+$/` cannot stall the daemon. A bad one is `INVALID_ARGUMENT`.
 */
export function namePatternOf(target: string | undefined): RegExp | undefined {
  if (target === undefined || !isRegexTarget(target)) return undefined;
  try {
    return compileGrep(normalizeAppName(target.slice(1, -1)));
  } catch (error) {
    throw regexTargetError(target, error);
  }
}
