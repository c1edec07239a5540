import * as z from 'zod/mini';
import { LOG_RULE_LEVELS, LOG_RULE_LIMITS, logRulePatternProblem } from './log-rule.js';
import { quoteValue } from './quote-value.js';
import { failValue } from './schema-values.js';

const pattern = z.pipe(
  z.string({ error: (issue) => `expected a regular expression string, got ${quoteValue(issue.input)}` }),
  z.transform((value, ctx) => {
    const problem = logRulePatternProblem(value);
    return problem === undefined ? value : failValue(ctx, value, problem);
  }),
);

/** `log_rules`: a list of `{match, level, stream?}`, tried in order before the built-in classification. */
export const logRulesSchema = z
  .array(
    z.strictObject({
      match: pattern,
      level: z.enum(LOG_RULE_LEVELS, { error: `expected one of ${LOG_RULE_LEVELS.join(', ')}` }),
      stream: z.optional(z.enum(['out', 'err'], { error: 'expected "out" or "err"' })),
    }),
    { error: 'expected a list of rules like [{ match = "regex", level = "warn" }]' },
  )
  .check(
    z.maxLength(LOG_RULE_LIMITS.maxRules, {
      error: `expected at most ${LOG_RULE_LIMITS.maxRules} rules`,
    }),
  );
