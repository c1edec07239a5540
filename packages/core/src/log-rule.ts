import { quoteValue } from './quote-value.js';

/** One `log_rules` entry of an app: lines matching `match` (a regular expression) get `level`. */
export interface LogRuleSpec {
  /** A JavaScript regular expression; a leading `(?i)` makes it case-insensitive. */
  match: string;
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug';
  /** Only lines of this stream; both when absent. */
  stream?: 'out' | 'err';
}

/**
 * The most rules of one app and the longest pattern (characters): every captured line may be tried
 * against them. The log engine's `USER_RULE_LIMITS` are the same (a supervisor test pins it).
 */
export const LOG_RULE_LIMITS = { maxRules: 64, maxPatternChars: 512 } as const;

/** The levels a rule may give, most severe first. */
export const LOG_RULE_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug'] as const;
const CASE_INSENSITIVE = '(?i)';
// as the log engine's `userPatternProblem`: a quantified group holding a quantifier (`(a+)+`)
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

/** What is wrong with a rule's pattern (as the log engine would refuse it), or undefined. */
export function logRulePatternProblem(match: string): string | undefined {
  if (match.length === 0) return 'expected a regular expression, got an empty string';
  if (match.length > LOG_RULE_LIMITS.maxPatternChars)
    return `expected a regular expression of at most ${LOG_RULE_LIMITS.maxPatternChars} characters, got ${match.length}`;
  const source = match.startsWith(CASE_INSENSITIVE) ? match.slice(CASE_INSENSITIVE.length) : match;
  if (NESTED_QUANTIFIER.test(source))
    return `a quantified group holding a quantifier (like "(a+)+") can make matching take exponential time; rewrite ${quoteValue(match)} without it`;
  try {
    new RegExp(source);
  } catch (error) {
    return `expected a valid regular expression: ${(error as Error).message}`;
  }
  return undefined;
}
