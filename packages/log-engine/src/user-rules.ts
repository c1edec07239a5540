import type { LevelRule } from './classifier.js';
import { createError, LogEngineErrorCodes } from './errors.js';
import { LEVELS, type Level } from './levels.js';

/** A user's classification rule as a config or rules file writes it: lines matching `match` get `level`. */
export interface UserRule {
  /** A JavaScript regular expression; a leading `(?i)` makes it case-insensitive. */
  match: string;
  level: Level;
  /** Only lines of this stream; both when absent. */
  stream?: 'out' | 'err';
}

/**
 * The most rules one app (or one rules file) may have, and the longest pattern, in characters. The
 * config schema's `LOG_RULE_LIMITS` (`@velos/core`) are the same numbers, defined twice on purpose:
 * neither package may import the other (ARCHITECTURE.md), so a supervisor test
 * (`test/log-insights/target-rules.test.ts`) pins them equal.
 */
export const USER_RULE_LIMITS = { maxRules: 64, maxPatternChars: 512 } as const;

const CASE_INSENSITIVE = '(?i)';
// a group holding a quantifier, itself quantified — `(a+)+`, `(\w+\s?)*`, `(x*){2,}` — can take
// exponential time on a line that almost matches
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

/**
 * What is wrong with a rule's pattern, or undefined when it compiles: too long, a nested quantifier
 * (catastrophic backtracking), or a syntax error.
 */
export function userPatternProblem(match: string): string | undefined {
  if (match.length === 0) return 'expected a regular expression, got an empty string';
  if (match.length > USER_RULE_LIMITS.maxPatternChars)
    return `expected a regular expression of at most ${USER_RULE_LIMITS.maxPatternChars} characters, got ${match.length}`;
  const { source } = splitFlags(match);
  if (NESTED_QUANTIFIER.test(source))
    return `a quantified group holding a quantifier (like "(a+)+") can make matching take exponential time; rewrite "${match}" without it`;
  try {
    new RegExp(source);
  } catch (error) {
    return `expected a valid regular expression: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * Checks a list of user rules (as read from JSON, TOML or YAML) and compiles them once into
 * `LevelRule`s for `createClassifier`'s `userRules`; an invalid rule throws `INVALID_ARGUMENT` naming
 * `label[i].key`.
 * @example compileUserRules([{ match: '^DEPRECATED:', level: 'warn' }]);
 */
export function compileUserRules(rules: unknown, label = 'rules'): LevelRule[] {
  if (!Array.isArray(rules)) throw invalid(`${label}: expected a list of {match, level} rules`);
  if (rules.length > USER_RULE_LIMITS.maxRules)
    throw invalid(`${label}: expected at most ${USER_RULE_LIMITS.maxRules} rules, got ${rules.length}`);
  return rules.map((rule, i) => compileRule(rule, `${label}[${i}]`));
}

function compileRule(rule: unknown, at: string): LevelRule {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule))
    throw invalid(`${at}: expected a table {match, level, stream?}`);
  const { match, level, stream, ...rest } = rule as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalid(`${at}.${unknown}: unknown key, expected match, level or stream`);
  if (typeof match !== 'string') throw invalid(`${at}.match: expected a regular expression string`);
  const problem = userPatternProblem(match);
  if (problem !== undefined) throw invalid(`${at}.match: ${problem}`);
  if (typeof level !== 'string' || !LEVELS.includes(level as Level))
    throw invalid(`${at}.level: expected ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  if (stream !== undefined && stream !== 'out' && stream !== 'err')
    throw invalid(`${at}.stream: expected "out" or "err", got ${JSON.stringify(stream)}`);
  const { source, flags } = splitFlags(match);
  return {
    level: level as Level,
    pattern: new RegExp(source, flags),
    ...(stream === undefined ? {} : { stream }),
  };
}

function splitFlags(match: string): { source: string; flags: string } {
  return match.startsWith(CASE_INSENSITIVE)
    ? { source: match.slice(CASE_INSENSITIVE.length), flags: 'i' }
    : { source: match, flags: '' };
}

function invalid(message: string) {
  return createError(LogEngineErrorCodes.INVALID_ARGUMENT, message);
}
