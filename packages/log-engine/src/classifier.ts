import { stripAnsi } from './ansi.js';
import { createError, LogEngineErrorCodes } from './errors.js';
import { accessLogLevel } from './http-status.js';
import { isAtLeast, LEVELS, type Level, parseLevel } from './levels.js';
import { logcatLevel } from './logcat-header.js';
import { redisMark } from './redis-header.js';
import { parseStructuredLine } from './structured-line.js';
import { syslogPriority } from './syslog-priority.js';

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
  /**
   * A user's rules (see `compileUserRules`), tried in order before anything else the line says (a label,
   * an HTTP status, the content rules); only a JSON line's own level field wins over them.
   */
  userRules?: readonly LevelRule[];
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
      /\b(?:warn(?:ing)?|deprecat(?:ed|ion)|retry(?:ing)?|timed? ?out|unable to|cannot|can't|could not|refused|denied|invalid|not found|slow)\b|[a-z]Warning\b/i,
  },
  { level: 'debug', pattern: /\b(?:debug|trace|verbose)\b/i },
];

/**
 * After a trouble word: a count of zero or an empty value (`errors=0`, `errors: 0`, `error count: 0`,
 * `failed: 0`, `lastError=null`, `error=<nil>`, `error: []`). A word value (`none`, `null`, `false`)
 * counts only where the field ends (`error=none,`, `error: null` at the end, before another `key=`),
 * so `error: null pointer` stays an error.
 */
const NEGATED_AFTER =
  /(?: ?(?:count|total|rate))?\s*[=:]?\s*(?:0(?:\.0+)?%?(?![\w.%])|(?:none|null|nil|false)(?=\s*$|[,;)}\]|"']|\s+[\w.-]+[=:])|<nil>|\[\]|\{\}|""|'')/iy;
/** Words before a trouble word that state its absence: `0 errors`, `no error`, `without errors`, `zero failures`. */
const NEGATING_WORDS = new Set(['0', 'no', 'zero', 'without']);

/** True for the levels whose words can state their absence (`errors=0`). */
function isTrouble(level: Level): boolean {
  return level === 'error' || level === 'fatal';
}

/**
 * True when `pattern` (global) matches `text` somewhere other than at a word that states its absence
 * (`errors=0`, `no errors`): such a word is no trouble, the rest of the line still counts.
 */
function matchesUnlessNegated(pattern: RegExp, text: string, from = 0): boolean {
  pattern.lastIndex = from;
  while (pattern.test(text)) {
    // test, not exec: no match array; the word that ends the match is what a negation speaks of
    const end = pattern.lastIndex;
    if (!isNegatedAt(text, end)) return true;
    // an empty match (a custom rule's lookahead) would be found again at the same place
    if (end === from) pattern.lastIndex = end + 1;
    from = pattern.lastIndex;
  }
  return false;
}

/**
 * True when the trouble word that ends at `end` is none: it states its absence (`errors=0`, `no
 * errors`), or it is a compound that is no exception's name (`liberror-perl`, DNS's `NOERROR`).
 */
function isNegatedAt(text: string, end: number): boolean {
  let start = end;
  while (start > 0 && isWordChar(text.charCodeAt(start - 1))) start--;
  return isNegatedAfter(text, end) || isNegatedBefore(text, start) || isPlainCompound(text, start, end);
}

const COMPOUND_TROUBLE = /(?:error|exception)$/i;
const EXCEPTION_NAME = /(?:Error|Exception)$/;

/**
 * True for a word that ends in `error` or `exception` after other letters but is not written as an
 * exception's name is (`TypeError`, `IOException`, `myError`): a package (`liberror-perl`), a DNS
 * status (`NOERROR`, the answer of every query that worked) or a handler (`onerror`). The trouble
 * pattern matches such words case-insensitively, as one expression for every rule must.
 */
function isPlainCompound(text: string, start: number, end: number): boolean {
  if (end - start <= 'error'.length) return false;
  const word = text.slice(start, end);
  return COMPOUND_TROUBLE.test(word) && !/^(?:errors?|exception)$/i.test(word) && !EXCEPTION_NAME.test(word);
}

/** True when `pattern` (global) matches `text` at or after `from`: a trouble word unless it states its absence. */
function ruleMatches(rule: CompiledRule, text: string, from: number): boolean {
  if (rule.trouble) return matchesUnlessNegated(rule.global, text, from);
  rule.global.lastIndex = from;
  return rule.global.test(text);
}

/** True when the word ending at `end` is followed by a count of zero or an empty value (`NEGATED_AFTER`). */
function isNegatedAfter(text: string, end: number): boolean {
  let p = end;
  // cheap first: after spaces, `=` and `:`, a zero, an empty value, a word value or `count`/`total`/`rate`
  for (let c = text.charCodeAt(p); c === 32 || c === 61 || c === 58; c = text.charCodeAt(++p));
  const c = text.charCodeAt(p) | 32;
  if (
    !(
      c === 48 ||
      c === 110 ||
      c === 102 ||
      c === 124 ||
      c === 123 ||
      c === 34 ||
      c === 39 ||
      c === 99 ||
      c === 116 ||
      c === 114
    ) &&
    text.charCodeAt(p) !== 60 &&
    text.charCodeAt(p) !== 91
  )
    return false;
  NEGATED_AFTER.lastIndex = end;
  return NEGATED_AFTER.test(text);
}

/** True when the word starting at `start` comes right after `0`, `no`, `zero` or `without` and a space. */
function isNegatedBefore(text: string, start: number): boolean {
  // cheap first: a space, and before it the last letter of `0`, `no`, `zero` or `without`
  if (start < 2 || text.charCodeAt(start - 1) !== 32) return false;
  const last = text.charCodeAt(start - 2) | 32;
  if (last !== 48 && last !== 111 && last !== 116) return false;
  let p = start - 1;
  while (p > 0 && p > start - 9 && isWordChar(text.charCodeAt(p - 1))) p--;
  if (p > 0 && isWordChar(text.charCodeAt(p - 1))) return false;
  return NEGATING_WORDS.has(text.slice(p, start - 1).toLowerCase());
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 95;
}

/**
 * The upper-case level words `LABEL` reads (PostgreSQL's `LOG` only before `:  `, see there), then the
 * abbreviations of Serilog (`[WRN]`, `[10:00:00 FTL]`) and of logrus and charm's log (`ERRO[0000]`,
 * `… 10:00:00 FATA …`), read only where a label stands (`PLACED_LABELS`).
 */
const UPPER_NAMES =
  'FATAL CRITICAL CRIT PANIC EMERG ALERT ERROR ERR SEVERE WARNING WARN INFO NOTICE DEBUG TRACE VERBOSE FTL WRN INF DBG VRB FATA PANI ERRO DEBU TRAC'.split(
    ' ',
  );
// An explicit level label: an upper-case word (PostgreSQL's `LOG:  ` too), a bracketed word, or a
// level=/lvl=/severity= field.
const LABEL = new RegExp(
  String.raw`(?<![\w-])(${UPPER_NAMES.join('|')}|LOG(?=: {2}))(?![\w-])|\[([A-Za-z]{3,8})\]|\b(?:level|lvl|severity|loglevel)[=:] ?"?([A-Za-z]+)`,
  'g',
);

/**
 * Builds a classifier: a structured `level` field wins, then the user's rules (`userRules`), an explicit label (`ERROR`, `[warn]`,
 * `level=debug`; the leftmost counts), then the content rules in order, else `info`.
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  return buildClassifier(options, true);
}

/**
 * `createClassifier` for lines already without terminal escape sequences (`stripAnsi`): the record
 * parser strips each line once.
 */
export function createStrippedClassifier(options: ClassifierOptions = {}): Classifier {
  return buildClassifier(options, false);
}

/** The classifier of `options`; with `strip`, it strips colour codes from each line first. */
function buildClassifier(options: ClassifierOptions, strip: boolean): Classifier {
  const rules = (options.rules ?? DEFAULT_LEVEL_RULES).map((rule, i): CompiledRule => {
    if (!LEVELS.includes(rule.level) || !(rule.pattern instanceof RegExp)) {
      throw createError(
        LogEngineErrorCodes.INVALID_ARGUMENT,
        `rules[${i}]: expected {level, pattern: RegExp}`,
      );
    }
    const flags = rule.pattern.flags.replace(/[gy]/g, '');
    return {
      level: rule.level,
      stream: rule.stream,
      pattern: new RegExp(rule.pattern.source, flags),
      global: new RegExp(rule.pattern.source, `${flags}g`),
      trouble: isTrouble(rule.level),
    };
  });
  // One pass with every content pattern finds the common case, a line that matches none, quickly; it is
  // exact only when no rule uses a flag other than i.
  const any = new RegExp(rules.map((r) => `(?:${r.pattern.source})`).join('|') || '(?!)', 'i');
  const anyIsExact = rules.every((r) => r.pattern.flags.replace('i', '') === '');
  const first = anyIsExact ? firstRuleFinder(rules) : undefined;
  const user = compileUserLevelRules(options.userRules);
  const classify = (raw: string, context?: ClassifyContext): Level => {
    const line = strip ? stripAnsi(raw) : raw;
    const c = line.charCodeAt(0);
    if (c === 123 || c === 32) {
      const structured = parseStructuredLine(line);
      if (structured !== undefined)
        return structured.level ?? classifyText(structured.message, context?.stream, undefined);
    }
    if (c === 60) {
      const priority = syslogPriority(line);
      if (priority !== undefined)
        return classifyText(line.slice(priority.end), context?.stream, priority.level);
    }
    return classifyText(line, context?.stream, undefined);
  };
  // `stated`: the level a syslog priority names, weaker than a label or a status, stronger than words
  const classifyText = (
    text: string,
    stream: 'out' | 'err' | undefined,
    stated: Level | undefined,
  ): Level => {
    if (user !== undefined) {
      const level = userLevel(user, text, stream);
      if (level !== undefined) return level;
    }
    // with a syslog priority, an upper-case level word inside the sentence is free text: the PRI outranks it
    const label = labelOf(text, stated !== undefined);
    if (label !== undefined) return label;
    const status = accessLogLevel(text);
    if (status !== undefined) return status;
    if (stated !== undefined) return stated;
    // after the label (most lines have one, and pay nothing more): a Redis server's level mark
    const mark = redisMark(text);
    if (mark !== undefined) {
      if (mark.level !== 'warn') return mark.level;
      // Redis logs its failures as warnings (`#`, its top level): the words may say error or fatal
      const level = wordsLevel(text, stream);
      return isAtLeast(level, 'warn') ? level : 'warn';
    }
    return wordsLevel(text, stream);
  };
  /** The level the content rules give `text`, else `info`. */
  const wordsLevel = (text: string, stream: 'out' | 'err' | undefined): Level => {
    if (first !== undefined) {
      const found = first(text, stream);
      if (found !== undefined) return found;
    } else if (anyIsExact && !any.test(text)) return 'info';
    for (const rule of rules) {
      if (
        (rule.stream === undefined || rule.stream === stream) &&
        // a trouble word that states its absence (`errors=0`, `no errors`) is no trouble
        (rule.trouble ? matchesUnlessNegated(rule.global, text) : rule.pattern.test(text))
      )
        return rule.level;
    }
    return 'info';
  };
  return classify;
}

/** A user's rules ready to run: `any`, when set, is one pass that finds the lines none of them matches. */
interface UserRules {
  rules: LevelRule[];
  any: RegExp | undefined;
}

/**
 * The user's rules without the global and sticky flags (a `test` then keeps no state), or undefined for
 * none. Their patterns joined in one case-insensitive expression match every line one of them matches:
 * most lines match none and cost that one pass, not one per rule. Not when a rule has a flag other
 * than i, a back-reference or a named group, which the joined expression would change.
 */
function compileUserLevelRules(rules: readonly LevelRule[] | undefined): UserRules | undefined {
  if (rules === undefined || rules.length === 0) return undefined;
  const compiled = rules.map((rule, i) => {
    if (!LEVELS.includes(rule.level) || !(rule.pattern instanceof RegExp)) {
      throw createError(
        LogEngineErrorCodes.INVALID_ARGUMENT,
        `userRules[${i}]: expected {level, pattern: RegExp}`,
      );
    }
    const pattern = new RegExp(rule.pattern.source, rule.pattern.flags.replace(/[gy]/g, ''));
    return rule.stream === undefined ? { level: rule.level, pattern } : { ...rule, pattern };
  });
  const canJoin = compiled.every(
    (r) => r.pattern.flags.replace('i', '') === '' && !/\\[1-9k]|\(\?<[^=!]/.test(r.pattern.source),
  );
  const any = canJoin ? new RegExp(compiled.map((r) => `(?:${r.pattern.source})`).join('|'), 'i') : undefined;
  return { rules: compiled, any };
}

/** The level of the first user rule matching `text` on `stream`, if any. */
function userLevel(user: UserRules, text: string, stream: 'out' | 'err' | undefined): Level | undefined {
  if (user.any !== undefined && !user.any.test(text)) return undefined;
  for (const rule of user.rules) {
    if ((rule.stream === undefined || rule.stream === stream) && rule.pattern.test(text)) return rule.level;
  }
  return undefined;
}

/** A content rule ready to run: `global` finds its words from a position, `trouble` for error and fatal. */
interface CompiledRule {
  level: Level;
  stream: 'out' | 'err' | undefined;
  pattern: RegExp;
  global: RegExp;
  trouble: boolean;
}

/**
 * One pass with every content pattern, each in a group of its own: the leftmost match tells which rule
 * matched first on the line, so only the rules before it in order need a look, and only from there on
 * (they matched nothing earlier); the rules after it none. The finder returns the level, `info` when no
 * rule matches, or undefined when the first match settles nothing (its rule is for another stream, or
 * its word states its absence): the rules are then tried one by one. Undefined when the patterns cannot
 * share one expression exactly (different flags, a back-reference, a named group).
 */
function firstRuleFinder(
  rules: readonly CompiledRule[],
): ((text: string, stream: 'out' | 'err' | undefined) => Level | undefined) | undefined {
  const flags = rules[0]?.pattern.flags;
  if (
    flags === undefined ||
    rules.some((r) => r.pattern.flags !== flags || /\\[1-9k]|\(\?<[^=!]/.test(r.pattern.source))
  )
    return undefined;
  // the group of rule i; the rule's own groups follow it
  const groups: number[] = [];
  let next = 1;
  for (const rule of rules) {
    groups.push(next);
    const own = (new RegExp(`(?:${rule.pattern.source})|`).exec('') as RegExpExecArray).length - 1;
    next += 1 + own;
  }
  const all = new RegExp(rules.map((r) => `(${r.pattern.source})`).join('|'), flags);
  return (text, stream) => {
    const match = all.exec(text);
    if (match === null) return 'info';
    let k = 0;
    while (k < rules.length - 1 && match[groups[k]!] === undefined) k++;
    const rule = rules[k]!;
    if (rule.stream !== undefined && rule.stream !== stream) return undefined;
    if (rule.trouble && isNegatedAt(text, match.index + match[0].length)) return undefined;
    for (let j = 0; j < k; j++) {
      const before = rules[j]!;
      if ((before.stream === undefined || before.stream === stream) && ruleMatches(before, text, match.index))
        return before.level;
    }
    return rule.level;
  };
}

// glog/klog (Kubernetes, many Go programs): I1122 10:00:12.345678 — the letter is the level.
const GLOG = /^[IWEF]\d{4} \d\d:\d\d:\d\d/;
// A lower-case level and a colon first, after an optional time (winston's `info: listening`, its printf
// `2024-12-04T10:00:00.000Z error: boom`, git's `fatal: …`): a label; inside a sentence it is content.
// .NET's console logger writes `fail:`, `dbug:` and `trce:` (its `info:`, `warn:`, `crit:` are here already);
// `fail:` only before its category's name (`fail: Microsoft.X[13]`), not a count (`fail: 0, pass: 12`).
const LOWER_LABELS = new Set([
  'fatal',
  'emerg',
  'alert',
  'crit',
  'critical',
  'error',
  'fail',
  'warn',
  'warning',
  'notice',
  'info',
  'http',
  'verbose',
  'debug',
  'dbug',
  'trce',
  'silly',
]);
/**
 * The level of each upper-case word `LABEL` finds, by its first two letters (the words that share them
 * share a level: CRIT/CRITICAL, ERR/ERROR, WARN/WARNING): read in the line, without cutting the word out.
 */
const UPPER_LABELS: readonly (Level | undefined)[] = (() => {
  const table: (Level | undefined)[] = new Array(26 * 26).fill(undefined);
  for (const name of [...UPPER_NAMES, 'LOG']) {
    table[upperKey(name, 0)] = parseLevel(name);
  }
  return table;
})();
/**
 * The upper-case words that are a label only where a label stands (`inLabelPlace`), by `placedKey`: ALERT, an
 * English word too (`sending ALERT to pager`), and the abbreviations (`INF` is also infinity, `TRAC` a name).
 */
const PLACED_LABELS = new Set(
  ['ALERT', 'FTL', 'WRN', 'INF', 'DBG', 'VRB', 'FATA', 'PANI', 'ERRO', 'DEBU', 'TRAC'].map((name) =>
    placedKey(name, 0, name.length),
  ),
);

/** The key in `PLACED_LABELS` of the upper-case word `text[start, end)`: its first two letters and its length. */
function placedKey(text: string, start: number, end: number): number {
  return upperKey(text, start) * 16 + Math.min(end - start, 15);
}

const TIMED_LABEL = new RegExp(
  String.raw`^\d[\d/:.,TZ+-]*(?: \d[\d:.,]*)?Z? (${[...LOWER_LABELS].join('|')}):\s`,
);
// A capitalised level in a column right after the time, padded or followed by a colon: Windows' CBS log
// (`2016-09-28 04:30:30, Info                  CBS    Warning: …`), .NET and other loggers that write
// `Information`/`Warning`/`Error`. It names the record's level, so words after it (`Warning:`, `Failed`)
// are content. One space after it is a sentence (`Error handling request`), read by the content rules.
const TIMED_TITLE_LABEL =
  /^\d[\d/:.,TZ+-]*(?: \d[\d:.,]*)?Z? (Fatal|Critical|Error|Warning|Warn|Information|Info|Notice|Debug|Trace|Verbose)(?::|\t| {2})/;

/** The index in `UPPER_LABELS` of the upper-case word at `start`. */
function upperKey(text: string, start: number): number {
  return (text.charCodeAt(start) - 65) * 26 + text.charCodeAt(start + 1) - 65;
}

/**
 * The label that starts `text`: a lower-case one (`info: …`, `2024-12-04T10:00:00Z error: …`), or a
 * capitalised one in a column after the time (`2016-09-28 04:30:30, Info  CBS …`), if any.
 */
function leadingLabel(text: string, first: number): Level | undefined {
  if (first >= 48 && first <= 57) {
    // cheap first: a time character before the first space; after it, or after the second when a digit
    // follows the first, a label word and a colon; only then the whole expression
    let space = text.indexOf(' ');
    if (space === -1 || !isTimeChar(text.charCodeAt(space - 1))) return undefined;
    if (isDigit(text.charCodeAt(space + 1))) {
      space = text.indexOf(' ', space + 1);
      if (space === -1) return undefined;
    }
    const word = text.charCodeAt(space + 1);
    if (word >= 65 && word <= 90) {
      // `Info`, not `INFO` (the upper-case labels are read further on, anywhere in the line)
      const next = text.charCodeAt(space + 2);
      if (next < 97 || next > 122) return undefined;
      const titled = TIMED_TITLE_LABEL.exec(text);
      return titled === null ? undefined : parseLevel(titled[1]);
    }
    const end = lowerWordEnd(text, space + 1);
    if (text.charCodeAt(end) !== 58 || !LOWER_LABELS.has(text.slice(space + 1, end))) return undefined;
    const timed = TIMED_LABEL.exec(text);
    if (timed === null || (timed[1] === 'fail' && !isLetter(text.charCodeAt(timed[0].length))))
      return undefined;
    return parseLevel(timed[1]);
  }
  const end = lowerWordEnd(text, 1);
  if (text.charCodeAt(end) !== 58 || !(text.charCodeAt(end + 1) <= 32)) return undefined;
  const word = text.slice(0, end);
  if (word === 'fail' && !isLetter(text.charCodeAt(end + 2))) return undefined;
  return LOWER_LABELS.has(word) ? parseLevel(word) : undefined;
}

/** Where the run of lower-case letters from `start` ends, looking at 9 letters at most (no label is longer). */
function lowerWordEnd(text: string, start: number): number {
  let end = start;
  while (end < start + 9 && text.charCodeAt(end) >= 97 && text.charCodeAt(end) <= 122) end++;
  return end;
}

/**
 * The level named by an explicit label in the text, if any; the leftmost label counts. PostgreSQL's
 * `FATAL:  ` (a colon and two spaces) ends one session, not the server: an error there.
 */
export function labelOf(text: string, inLabelPlaceOnly = false): Level | undefined {
  const first = text.charCodeAt(0);
  if ((first === 73 || first === 87 || first === 69 || first === 70) && isDigit(text.charCodeAt(1))) {
    if (GLOG.test(text)) return parseLevel(text[0]);
  }
  if (first >= 48 && first <= 57 && text.charCodeAt(2) === 45) {
    // Android's logcat: `03-17 16:13:38.811  1702  2395 E Tag: …` — the letter is the level
    const priority = logcatLevel(text);
    if (priority !== undefined) return priority;
  }
  if ((first >= 97 && first <= 122) || (first >= 48 && first <= 57)) {
    const leading = leadingLabel(text, first);
    if (leading !== undefined) return leading;
  }
  // test, not exec: no match array; what matched is read from where it ends
  for (let from = 0; ; from = LABEL.lastIndex) {
    LABEL.lastIndex = from;
    if (!LABEL.test(text)) return undefined;
    const level = matchedLabel(text, from, LABEL.lastIndex, inLabelPlaceOnly);
    if (level !== undefined) return level;
  }
}

/**
 * The level of the label `LABEL` matched from `from` on, ending at `end`: a bracketed word ends with `]`;
 * otherwise the match ends a run of letters, the value of a level field when such a field stands before
 * it (from `from` on), else an upper-case word (a field's key starts earlier, so the match would have
 * started there). Undefined when a bracketed word or a field's value names no level.
 */
function matchedLabel(text: string, from: number, end: number, inLabelPlaceOnly: boolean): Level | undefined {
  if (text.charCodeAt(end - 1) === 93) {
    const open = text.lastIndexOf('[', end - 2);
    return parseLevel(text.slice(open + 1, end - 1));
  }
  let start = end - 1;
  while (start > 0 && isLetter(text.charCodeAt(start - 1))) start--;
  if (isLevelFieldValue(text, from, start)) return parseLevel(text.slice(start, end));
  // PostgreSQL's `FATAL:  `
  if (text.charCodeAt(start) === 70 && text.startsWith(':  ', end)) return 'error';
  // with a syslog priority every upper-case word is a label only where a label stands
  if ((inLabelPlaceOnly || PLACED_LABELS.has(placedKey(text, start, end))) && !inLabelPlace(text, start, end))
    return undefined;
  return UPPER_LABELS[upperKey(text, start)];
}

/**
 * True when the upper-case word `text[start, end)` stands where a level label does: first, after a
 * separator (`app[1]: ERROR`, `] WARN`, `| INFO`, `- ALERT`) or a number (a time, a pid), or before a `:` or
 * `]` (`ALERT: disk full`); not inside a sentence.
 */
function inLabelPlace(text: string, start: number, end: number): boolean {
  const after = text.charCodeAt(end);
  if (after === 58 || after === 93) return true;
  let p = start;
  while (p > 0 && text.charCodeAt(p - 1) === 32) p--;
  if (p === 0) return true;
  const c = text.charCodeAt(p - 1);
  // a UTC time's Z (`…10:00:00Z ALERT`) ends a number too
  if (c === 90) return isDigit(text.charCodeAt(p - 2));
  return c === 58 || c === 93 || c === 124 || c === 45 || c === 62 || c === 41 || isDigit(c);
}

/**
 * True when the word at `start` follows `level=`, `lvl: `, `severity="` … as `LABEL`'s third form reads
 * them, with the key at `from` or after.
 */
function isLevelFieldValue(text: string, from: number, start: number): boolean {
  let p = start;
  if (text.charCodeAt(p - 1) === 34) p--;
  if (text.charCodeAt(p - 1) === 32) p--;
  const c = text.charCodeAt(p - 1);
  if (c !== 61 && c !== 58) return false;
  // the key ends before the `=` or `:`: level, lvl and loglevel end with an l, severity with a y
  const last = text.charCodeAt(p - 2);
  if (last === 121) return isKeyBefore(text, from, p - 1, 'severity');
  return (
    last === 108 &&
    (isKeyBefore(text, from, p - 1, 'level') ||
      isKeyBefore(text, from, p - 1, 'lvl') ||
      isKeyBefore(text, from, p - 1, 'loglevel'))
  );
}

/** True when `key` ends at `end`, starts at `from` or after and at a word boundary. */
function isKeyBefore(text: string, from: number, end: number, key: string): boolean {
  const at = end - key.length;
  return at >= from && text.startsWith(key, at) && !isWordChar(text.charCodeAt(at - 1));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A character of `[\d/:.,TZ+-]`, as the time before a lower-case label is made of. */
function isTimeChar(c: number): boolean {
  return (c >= 43 && c <= 58) || c === 84 || c === 90;
}

function isLetter(c: number): boolean {
  return (c | 32) >= 97 && (c | 32) <= 122;
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
