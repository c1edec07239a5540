import type { LogRuleSpec, ProcessDetail } from '@velos/core';
import { api, seg } from './api.js';
import type { AppLogRules } from './log-level.js';

/**
 * The `log_rules` of the apps of `target` (one app, or `all`), by app name, from their descriptions
 * (`GET /processes/:target`), so that the page gives each line the level the server's filter gives it.
 * Read when the log panel opens or its filters change, and again when an event says they may have changed
 * (`lastRulesChange`). None when the descriptions cannot be read (the page then uses the built-in rules only).
 */
export async function loadLogRules(target: string): Promise<AppLogRules> {
  const rules = new Map<string, readonly LogRuleSpec[]>();
  try {
    const answer = await api<{ processes: ProcessDetail[] }>(`/processes/${seg(target)}`);
    for (const detail of answer.processes) {
      const own = detail.spec.logRules;
      if (own !== undefined && own.length > 0) rules.set(detail.name, own);
    }
  } catch {
    // a token without the processes scope, or an app that went away: the built-in rules
  }
  return rules;
}
