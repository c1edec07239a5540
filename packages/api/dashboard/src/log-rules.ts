import type { LogRuleSpec, ProcessDetail } from '@velos/core';
import { api, seg } from './api.js';
import type { AppLogRules } from './log-level.js';

/** What the page needs of its apps' specs to give their lines the server's levels. */
export interface LogRulesRead {
  /** The `log_rules` of each app that has some, by name. */
  rules: AppLogRules;
  /**
   * The apps with JSON log files (`log_format = "json"`): each of their lines keeps the level it was
   * captured with (a JSON line's own level field, else the rules of then), as the server's search
   * keeps it; new rules do not judge them again.
   */
  jsonLogApps: ReadonlySet<string>;
}

/**
 * The `log_rules` of the apps of `target` (one app, or `all`), by app name, and which of them have JSON
 * log files, from their descriptions (`GET /processes/:target`), so that the page gives each line the
 * level the server's filter gives it. Read when the log panel opens or its filters change, and again
 * when an event says they may have changed (`lastRulesChange`). None when the descriptions cannot be
 * read (the page then uses the built-in rules only).
 */
export async function loadLogRules(target: string): Promise<LogRulesRead> {
  const rules = new Map<string, readonly LogRuleSpec[]>();
  const jsonLogApps = new Set<string>();
  try {
    const answer = await api<{ processes: ProcessDetail[] }>(`/processes/${seg(target)}`);
    for (const detail of answer.processes) {
      const own = detail.spec.logRules;
      if (own !== undefined && own.length > 0) rules.set(detail.name, own);
      if (detail.spec.logFormat === 'json') jsonLogApps.add(detail.name);
    }
  } catch {
    // a token without the processes scope, or an app that went away: the built-in rules
  }
  return { rules, jsonLogApps };
}
