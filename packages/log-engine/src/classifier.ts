import { createError, LogEngineErrorCodes } from './errors.js';
import { LEVELS, type Level, parseLevel } from './levels.js';
import { parseStructuredLine } from './structured-line.js';

/** A classification rule: lines matching `pattern` get `level`; with `stream` it applies to that stream only. */
export interface LevelRule {
  level: Level;
  pattern: RegExp;
  stream?: 'out' | 'err';
}

/** What is known about a line besides its text. */
export interface ClassifyContext {
  stream?: 'out' | 'err';
}

/** Options of `createClassifier`. */
export interface ClassifierOptions {
  /** Content rules, tried in order when the line names no level; default `DEFAULT_LEVEL_RULES`. */
  rules?: readonly LevelRule[];
}

/** A function that returns the level of one line. */
export type Classifier = (line: string, context?: ClassifyContext) => Level;

/**
 * The default content rules, in order. Words that only suggest trouble (`cannot`, a stack frame) make an
 * error on stderr and a warning on stdout: stderr is a hint, never proof on its own.
 */
export const DEFAULT_LEVEL_RULES: readonly LevelRule[] = [
  {
    level: 'fatal',
    pattern:
      /\b(?:fatal|panic(?:ked)?|emergency)\b|segmentation fault|core dumped|out of memory|\buncaught\b|unhandled ?(?:promise ?)?rejection/i,
  },
  {
    level: 'error',
    pattern:
      /\b(?:errors?|exception|traceback|failed|failure|failing|crash(?:ed)?|E(?:CONNREFUSED|CONNRESET|ADDRINUSE|TIMEDOUT|ACCES|PERM|NOENT|PIPE))\b|[a-z](?:Error|Exception)\b/i,
  },
  {
    level: 'error',
    pattern: /\b(?:unable to|cannot|can't|could not|refused|denied)\b|^\s+at \S|^\s+File ".*", line \d/i,
    stream: 'err',
  },
  {
    level: 'warn',
    pattern:
      /\b(?:warn(?:ing)?|deprecat(?:ed|ion)|retry(?:ing)?|timed? ?out|unable to|cannot|can't|could not|refused|denied|invalid|not found|slow)\b/i,
  },
  { level: 'debug', pattern: /\b(?:debug|trace|verbose)\b/i },
];

// An explicit level label: an upper-case word, a bracketed word, or a level=/lvl=/severity= field.
const LABEL =
  /(?<![\w-])(FATAL|CRITICAL|CRIT|PANIC|EMERG|ALERT|ERROR|ERR|SEVERE|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE|VERBOSE)(?![\w-])|\[([A-Za-z]{3,8})\]|\b(?:level|lvl|severity|loglevel)[=:] ?"?([A-Za-z]+)/g;

/**
 * Builds a classifier: a structured `level` field wins, then an explicit label (`ERROR`, `[warn]`,
 * `level=debug`; the leftmost counts), then the content rules in order, else `info`.
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const rules = (options.rules ?? DEFAULT_LEVEL_RULES).map((rule, i) => {
    if (!LEVELS.includes(rule.level) || !(rule.pattern instanceof RegExp)) {
      throw createError(
        LogEngineErrorCodes.INVALID_ARGUMENT,
        `rules[${i}]: expected {level, pattern: RegExp}`,
      );
    }
    const flags = rule.pattern.flags.replace(/[gy]/g, '');
    return { level: rule.level, stream: rule.stream, pattern: new RegExp(rule.pattern.source, flags) };
  });
  // One pass with every content pattern finds the common case, a line that matches none, quickly; it is
  // exact only when no rule uses a flag other than i.
  const any = new RegExp(rules.map((r) => `(?:${r.pattern.source})`).join('|') || '(?!)', 'i');
  const anyIsExact = rules.every((r) => r.pattern.flags.replace('i', '') === '');
  const classify = (line: string, context?: ClassifyContext): Level => {
    const c = line.charCodeAt(0);
    if (c === 123 || c === 32) {
      const structured = parseStructuredLine(line);
      if (structured !== undefined)
        return structured.level ?? classifyText(structured.message, context?.stream);
    }
    return classifyText(line, context?.stream);
  };
  const classifyText = (text: string, stream: 'out' | 'err' | undefined): Level => {
    const label = labelOf(text);
    if (label !== undefined) return label;
    if (anyIsExact && !any.test(text)) return 'info';
    for (const rule of rules) {
      if ((rule.stream === undefined || rule.stream === stream) && rule.pattern.test(text)) return rule.level;
    }
    return 'info';
  };
  return classify;
}

// glog/klog (Kubernetes, many Go programs): I1122 10:00:12.345678 — the letter is the level.
const GLOG = /^[IWEF]\d{4} \d\d:\d\d:\d\d/;

/** The level named by an explicit label in the text, if any; the leftmost label counts. */
export function labelOf(text: string): Level | undefined {
  const first = text.charCodeAt(0);
  if ((first === 73 || first === 87 || first === 69 || first === 70) && GLOG.test(text))
    return parseLevel(text[0]);
  LABEL.lastIndex = 0;
  for (let match = LABEL.exec(text); match !== null; match = LABEL.exec(text)) {
    const level = parseLevel(match[1] ?? match[2] ?? match[3]);
    if (level !== undefined) return level;
  }
  return undefined;
}

const defaultClassifier = createClassifier();

/**
 * The level of one line with the default rules; `stream: 'err'` is a hint that strengthens weak signals.
 *
 * @example
 * classifyLine('2024-05-01 10:00:00 WARN disk almost full'); // 'warn'
 * classifyLine('Error: connect ECONNREFUSED 127.0.0.1:5432', { stream: 'err' }); // 'error'
 */
export function classifyLine(line: string, context?: ClassifyContext): Level {
  return defaultClassifier(line, context);
}
