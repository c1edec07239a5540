import type { LogLine, LogRuleSpec } from '@velos/core';
import {
  type Classifier,
  classifyLine,
  compileUserRules,
  createClassifier,
  isContinuationLine,
  isJulHeader,
  LEVELS,
  type Level,
  parseLevel,
  stripAnsi,
} from '@velos/log-engine/line-level';

/** Levels from most to least severe, as the filter offers them. */
export { LEVELS, type Level, stripAnsi };

/** The `log_rules` of each app by name (`ProcessDetail.spec.logRules`); an app without any is absent. */
export type AppLogRules = ReadonlyMap<string, readonly LogRuleSpec[]>;

/**
 * A function that gives each line its level the way the log engine's search (`logs.search`) does, so
 * the page and the server's level filter never disagree: the level the server gave it (`lvl`: the
 * API's lines carry it, judged by the engine when they are read, a crash's last stderr line raised to
 * error), else the engine's
 * classifier with the app's `log_rules` (`rules`, by app name) tried first (labels, its rules, stderr
 * as a hint); a continuation line (a stack frame, a blank line) takes the level of the line that began
 * its event — the last other line of the same process and stream this function was given; a
 * java.util.logging header (time and source) is info, its record's level comes with the next line. Call
 * it on the lines in their order.
 */
export function createLineLeveler(rules: AppLogRules = new Map()): (line: LogLine) => Level {
  /** The level of the last line that began an event, by process and stream. */
  const heads = new Map<string, Level>();
  /** Each app's classifier with its rules, compiled once; the default one for an app without rules. */
  const classifiers = new Map<string, Classifier>();
  const classifierOf = (name: string): Classifier => {
    let classifier = classifiers.get(name);
    if (classifier === undefined) {
      classifier = ruledClassifier(rules.get(name));
      classifiers.set(name, classifier);
    }
    return classifier;
  };
  /** The level of one line on its own: its JSON level when it had one, else the app's classifier. */
  const ownLevel = (line: LogLine): Level =>
    parseLevel(line.lvl) ?? classifierOf(line.name)(line.line, { stream: line.stream });
  return (line) => {
    const key = `${line.id}\0${line.stream}`;
    // the server's own judgement (REST and WebSocket lines carry it, the exit context included)
    const given = parseLevel(line.lvl);
    if (given !== undefined) {
      if (!isContinuationLine(line.line)) heads.set(key, given);
      return given;
    }
    if (isJulHeader(line.line)) {
      heads.delete(key);
      return 'info';
    }
    if (isContinuationLine(line.line)) {
      const head = heads.get(key);
      if (head !== undefined) return head;
      return ownLevel(line);
    }
    const level = ownLevel(line);
    heads.set(key, level);
    return level;
  };
}

/**
 * The engine's classifier with `rules` tried first; the default one without rules, or if they do not
 * compile (the daemon checked them before it took the config, so they do).
 */
function ruledClassifier(rules: readonly LogRuleSpec[] | undefined): Classifier {
  if (rules === undefined || rules.length === 0) return classifyLine;
  try {
    return createClassifier({ userRules: compileUserRules(rules, 'log_rules') });
  } catch {
    return classifyLine;
  }
}

/** True when `level` is at least as severe as `floor` (`error` lets `fatal` through). */
export function isAtLeast(level: Level, floor: Level | null): boolean {
  return !floor || LEVELS.indexOf(level) <= LEVELS.indexOf(floor);
}

/** What the server's search refuses in a pattern (its regular expressions run in bounded time). */
const UNSAFE = /\\[1-9]|\\k<|\(\?<?[=!]/;

/**
 * The search box: `/…/` is a regular expression, anything else is literal text; both ignore case.
 * Returns the regular expression's source for the server (`pattern`), plain text escaped; undefined
 * when the box is empty. Throws an Error that says why for a regular expression that does not parse
 * or that the server would refuse (a backreference or a lookaround).
 */
export function searchPattern(text: string): string | undefined {
  if (!text) return undefined;
  const slashed = /^\/(.+)\/$/.exec(text);
  if (!slashed) return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = slashed[1]!;
  if (UNSAFE.test(source)) {
    throw new Error(
      `${text}: backreferences (\\1, \\k<name>) and lookarounds ((?=, (?!, (?<=, (?<!) are not supported`,
    );
  }
  try {
    new RegExp(source, 'i');
  } catch (error) {
    throw new Error(`${text} is not a valid regular expression: ${(error as Error).message}`);
  }
  return source;
}

/** A matcher for the search box (see `searchPattern`); throws like it for a bad regular expression. */
export function textMatcher(text: string): (line: string) => boolean {
  const source = searchPattern(text);
  if (source === undefined) return () => true;
  const pattern = new RegExp(source, 'i');
  return (line) => pattern.test(line);
}
