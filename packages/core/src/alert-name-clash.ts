import type { AlertRule } from './alert-rule.js';
import { ErrorCodes, VelosError } from './errors.js';

/**
 * The error of replacing the rules of `source` with `rules` while `existing` holds rules of every
 * source, or null: a rule name that a rule of another source (or an earlier one of `rules`) has.
 * The daemon refuses such a replacement; `velos start` and MCP `process_start` set a file's rules
 * before they start its apps (`startWithFileAlerts`), so a clash starts nothing.
 * @example alertNameClash('/srv/app.toml', [{ name: 'esc' }], [{ name: 'esc', source: 'runtime' }])?.message
 * // "/srv/app.toml: alert rule 'esc' exists already (from runtime); rename one of them"
 */
export function alertNameClash(
  source: string,
  rules: readonly Pick<AlertRule, 'name'>[],
  existing: Iterable<Pick<AlertRule, 'name' | 'source'>>,
): VelosError | null {
  const owners = new Map<string, string>();
  for (const rule of existing) if (rule.source !== source) owners.set(rule.name, rule.source);
  for (const rule of rules) {
    const owner = owners.get(rule.name);
    if (owner !== undefined) {
      return new VelosError(
        ErrorCodes.NAME_IN_USE,
        `${source}: alert rule '${rule.name}' exists already (from ${owner}); rename one of them`,
        { data: { name: rule.name, source: owner } },
      );
    }
    owners.set(rule.name, source);
  }
  return null;
}
