import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { type AlertRule, writeFreshFile } from '@velos/core';
import { alertRuleSchema } from '@velos/core/schemas';
import { ALERTS_FILE } from './alert-files.js';

/** True when the home has saved rules (a stat: the daemon checks this at start, nothing more). */
export function hasSavedAlerts(home: string): boolean {
  return existsSync(join(home, ALERTS_FILE));
}

/** Reads the saved rules; invalid ones are left out and each named in `problems`. */
export function readAlerts(home: string): { rules: AlertRule[]; problems: string[] } {
  const path = join(home, ALERTS_FILE);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return {
      rules: [],
      problems: [`${ALERTS_FILE}: cannot read it (${(error as Error).message}); no saved alert rules loaded`],
    };
  }
  const list = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) return { rules: [], problems: [`${ALERTS_FILE}: expected {"rules": [...]}`] };
  const rules: AlertRule[] = [];
  const problems: string[] = [];
  list.forEach((item, i) => {
    const result = alertRuleSchema.safeParse(item);
    if (result.success) rules.push(result.data);
    else
      problems.push(`${ALERTS_FILE}: rules[${i}] left out: ${result.error.issues[0]?.message ?? 'invalid'}`);
  });
  return { rules, problems };
}

/** Writes the rules atomically (a fresh 0600 file renamed into place). */
export function writeAlerts(home: string, rules: AlertRule[]): void {
  const path = join(home, ALERTS_FILE);
  const tmp = `${path}.tmp`;
  writeFreshFile(tmp, `${JSON.stringify({ version: 1, rules }, null, 2)}\n`, true);
  renameSync(tmp, path);
}
