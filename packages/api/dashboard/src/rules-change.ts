import type { LogRuleSpec, VelosEvent } from '@velos/core';
import type { AppLogRules } from './log-level.js';

/** The fields of `config.applied` that name the apps whose spec a config file or `config set` gave. */
const SPEC_NAME_FIELDS = ['addedNames', 'changedNames', 'updatedNames', 'scaledNames'] as const;

/**
 * The `seq` of the newest of `events` after which the `log_rules` of `target` (an app name, or `all`)
 * may differ: a `config.applied` naming the app (added, changed, updated in place or scaled), or a
 * fresh start of it (`process.started` with reason `start`: deleted and started again from another
 * file). 0 when none. Reads from the newest event back and stops at the first that fits.
 */
export function lastRulesChange(events: readonly VelosEvent[], target: string): number {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (mayChangeRules(event, target)) return event.seq;
  }
  return 0;
}

/** True when `a` and `b` hold the same rules for the same apps (their order within an app counts). */
export function isSameRules(a: AppLogRules, b: AppLogRules): boolean {
  if (a.size !== b.size) return false;
  for (const [name, rules] of a) {
    const other = b.get(name);
    if (other === undefined || !sameList(rules, other)) return false;
  }
  return true;
}

function mayChangeRules(event: VelosEvent, target: string): boolean {
  if (event.kind === 'process.started') {
    return event.fields?.reason === 'start' && (target === 'all' || event.app === target);
  }
  if (event.kind !== 'config.applied') return false;
  return SPEC_NAME_FIELDS.some((field) => {
    const names = event.fields?.[field];
    if (typeof names !== 'string' || names === '') return false;
    return target === 'all' || names.split(',').includes(target);
  });
}

function sameList(a: readonly LogRuleSpec[], b: readonly LogRuleSpec[]): boolean {
  return a.length === b.length && a.every((rule, i) => JSON.stringify(rule) === JSON.stringify(b[i]));
}
