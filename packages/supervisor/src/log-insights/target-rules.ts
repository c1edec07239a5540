import { compileUserRules, type LevelRule } from '@velos/log-engine';
import type { LogQueryTarget } from './log-target.js';

/**
 * The classifier options of an app's `log_rules` (ENG-1): its rules compiled once for a query, tried
 * before the built-in ones; none when the app has no rules.
 */
export function userRulesOf(target: Pick<LogQueryTarget, 'logRules'>): { userRules?: LevelRule[] } {
  return target.logRules === undefined ? {} : { userRules: compileUserRules(target.logRules, 'log_rules') };
}
