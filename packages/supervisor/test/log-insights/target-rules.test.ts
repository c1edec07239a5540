import { LOG_RULE_LIMITS, logRulePatternProblem } from '@velos/core';
import { USER_RULE_LIMITS, userPatternProblem } from '@velos/log-engine';
import { describe, expect, it } from 'vitest';
import { userRulesOf } from '../../src/log-insights/target-rules.js';

describe('log_rules between the config schema and the log engine', () => {
  it('have the same limits and refuse the same patterns', () => {
    expect(LOG_RULE_LIMITS).toEqual(USER_RULE_LIMITS);
    const patterns = ['^ok', '(?i)x', '(', '(a+)+', '(\\w+\\s?)*', '(a|b)+', '', 'x'.repeat(513), '[z-a]'];
    for (const pattern of patterns) {
      expect(logRulePatternProblem(pattern) === undefined, pattern).toBe(
        userPatternProblem(pattern) === undefined,
      );
    }
  });

  it("compiles an app's rules for a query, none without them", () => {
    expect(userRulesOf({})).toEqual({});
    expect(userRulesOf({ logRules: [{ match: '(?i)^legacy', level: 'warn' }] })).toEqual({
      userRules: [{ level: 'warn', pattern: /^legacy/i }],
    });
  });
});
