import { stripAnsi } from './ansi.js';
import type { LevelRule } from './classifier.js';
import { lineHits, mergeSorted } from './hint-offsets.js';
import { MESSAGE_KEYS, parseStructuredLine } from './structured-line.js';
import { syslogPriority } from './syslog-priority.js';

/** The error and fatal rules of a user's rules, compiled once for `findErrorHints` (`compileErrorRuleHints`). */
export interface ErrorRuleHints {
  /** The patterns for each stream (global, multiline; rules of the same flags joined in one). */
  readonly out: readonly RegExp[];
  readonly err: readonly RegExp[];
  /** For lines of either stream (a file of both). */
  readonly both: readonly RegExp[];
  /**
   * Some pattern holds a `^` or a `$`: it is tried line by line on what the classifier gives the rules of
   * a JSON line (its message), a syslog line (the text behind `<PRI>`) and a line behind a time prefix.
   */
  readonly isAnchored: boolean;
  /** Some pattern holds a lookaround, which can see past a line's ends: every line is tried on its own. */
  readonly isLineBound: boolean;
}

/**
 * The rules of `rules` that give `error` or `fatal`, ready for `findErrorHints` (so that a sample does
 * not pass over a line only a user's rule makes an error); undefined when none does (then nothing is
 * added to the search). Compile once per rules list: the patterns of the same flags are joined.
 * @example findErrorHints(data, 'out', { rules: compileErrorRuleHints(compileUserRules(list)) });
 */
export function compileErrorRuleHints(rules: readonly LevelRule[] | undefined): ErrorRuleHints | undefined {
  const raising = (rules ?? []).filter((rule) => rule.level === 'error' || rule.level === 'fatal');
  if (raising.length === 0) return undefined;
  const of = (stream: 'out' | 'err' | undefined) =>
    joinPatterns(
      raising.filter((rule) => stream === undefined || rule.stream !== (stream === 'out' ? 'err' : 'out')),
    );
  return {
    out: of('out'),
    err: of('err'),
    both: of(undefined),
    isAnchored: raising.some((rule) => /[$^]/.test(rule.pattern.source)),
    isLineBound: raising.some((rule) => LOOKAROUND.test(rule.pattern.source)),
  };
}

/** A lookahead or a lookbehind in a pattern's source. */
const LOOKAROUND = /\(\?<?[=!]/;

/**
 * The rules' patterns as few global multiline ones as can be: those of the same flags joined, unless a
 * pattern holds a back-reference or a named group (numbering and names change when joined).
 */
function joinPatterns(rules: readonly LevelRule[]): RegExp[] {
  const byFlags = new Map<string, string[]>();
  const alone: RegExp[] = [];
  for (const { pattern } of rules) {
    const flags = `${pattern.flags.replace(/[gmy]/g, '')}gm`;
    if (/\\[1-9k]|\(\?<[^=!]/.test(pattern.source)) {
      alone.push(new RegExp(pattern.source, flags));
      continue;
    }
    const sources = byFlags.get(flags) ?? [];
    sources.push(`(?:${pattern.source})`);
    byFlags.set(flags, sources);
  }
  return [...[...byFlags].map(([flags, sources]) => new RegExp(sources.join('|'), flags)), ...alone];
}

/**
 * The byte offsets of the lines of `data` that one of the user's error rules matches, ascending, never
 * missing a line the classifier makes an error by one of them (a few more do no harm). The rules run on
 * the text as UTF-8 (a rule is a JavaScript pattern over the decoded line), one pass for each joined
 * pattern, which is exact for a plain line; the lines whose text the classifier changes before its rules
 * see it are tried again on their own, as it gives them (`someRuleText`): a line with colour codes, a JSON
 * line whose message has escapes, and, for an anchored rule, every JSON or syslog line. Every line on its
 * own for a lookaround, or an anchored rule behind a time prefix (on what `lineOf` leaves of it).
 */
export function ruleHits(
  data: Buffer,
  stream: 'out' | 'err' | undefined,
  rules: ErrorRuleHints,
  lineOf: ((line: string) => string) | undefined,
): number[] {
  const patterns = stream === undefined ? rules.both : rules[stream];
  if (patterns.length === 0) return [];
  const text = data.toString('utf8');
  const isAscii = text.length === data.length;
  let hits: number[];
  if (rules.isLineBound || (lineOf !== undefined && rules.isAnchored)) {
    hits = [];
    for (let start = 0; start < text.length; ) {
      const newline = text.indexOf('\n', start);
      const end = newline === -1 ? text.length : newline;
      if (matchesAsClassified(patterns, text.slice(start, end), lineOf)) hits.push(start);
      start = end + 1;
    }
  } else {
    hits = [];
    for (const pattern of patterns) hits = mergeSorted(hits, lineHits(text, pattern));
    const retried: number[] = [];
    const changed = rules.isAnchored ? CHANGED_ANCHORED : CHANGED;
    // most chunks hold none of the bytes that start such a line: a native search of each says so
    const hasChanged = (rules.isAnchored ? ANCHORED_CHANGE_BYTES : CHANGE_BYTES).some((byte) =>
      data.includes(byte),
    );
    changed.lastIndex = hasChanged ? 0 : text.length;
    for (let m = changed.exec(text); m !== null; m = changed.exec(text)) {
      const start = text.lastIndexOf('\n', m.index) + 1;
      const newline = text.indexOf('\n', m.index);
      const end = newline === -1 ? text.length : newline;
      if (matchesAsClassified(patterns, text.slice(start, end), lineOf)) retried.push(start);
      if (newline === -1) break;
      changed.lastIndex = newline + 1;
    }
    if (retried.length > 0) hits = mergeSorted(hits, retried);
  }
  return isAscii ? hits : byteOffsets(text, hits);
}

/**
 * Where a line may hold text the classifier changes before its rules see it, unless the rules are
 * anchored: a colour code (taken off: ESC or CSI, U+009B), a backslash (a JSON string's escape, decoded).
 */
const CHANGED = /[\x1b\x9b\\]/g;
/** The same for anchored rules: also a line that starts like a JSON object or a syslog `<PRI>`. */
const CHANGED_ANCHORED = /[\x1b\x9b\\]|^[\t\v\f\r ]*[{<]/gm;
/**
 * The bytes a line `CHANGED` finds holds: escape, CSI's second byte in UTF-8 (C2 9B) and backslash;
 * `CHANGED_ANCHORED`'s also `{` and `<`.
 */
const CHANGE_BYTES = [0x1b, 0x9b, 0x5c];
const ANCHORED_CHANGE_BYTES = [0x1b, 0x9b, 0x5c, 0x7b, 0x3c];

/**
 * True when one of `patterns` matches `raw` (one line) as the classifier gives it to the user's rules:
 * behind its time prefix (`lineOf`), without colour codes, as it is and as its JSON message or its
 * text behind a syslog priority (`ruleTexts`).
 */
function matchesAsClassified(
  patterns: readonly RegExp[],
  raw: string,
  lineOf: ((line: string) => string) | undefined,
): boolean {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const matches = (text: string) => patterns.some((pattern) => testOnce(pattern, text));
  return someRuleText(stripAnsi(lineOf === undefined ? line : lineOf(line)), 2, matches);
}

/**
 * True when `test` holds for one of the texts the classifier may try a user's rules on for `line`
 * (without colour codes): the line, and within `depth` steps the message of a JSON line (the record
 * parser classifies that message again, so a JSON message that is itself JSON gives its own) and the
 * text behind a syslog `<PRI>`.
 */
function someRuleText(line: string, depth: number, test: (text: string) => boolean): boolean {
  if (test(line)) return true;
  if (depth === 0) return false;
  if (line.charCodeAt(0) === 60) {
    const priority = syslogPriority(line);
    return priority !== undefined && someRuleText(line.slice(priority.end), depth - 1, test);
  }
  const trimmed = line.trim();
  if (trimmed.charCodeAt(0) !== 123 || trimmed.charCodeAt(trimmed.length - 1) !== 125) return false;
  const messages = messageValues(trimmed);
  if (messages === undefined) {
    const structured = parseStructuredLine(line);
    return structured !== undefined && someRuleText(structured.message, depth - 1, test);
  }
  // without a message field the trimmed line is the message
  if (trimmed.length !== line.length && test(trimmed)) return true;
  return messages.some((message) => someRuleText(message, depth - 1, test));
}

/** A message field of a JSON object (`"msg": "…"`) and its string value, or the start of another value. */
const MESSAGE_FIELD = new RegExp(
  `"(?:${MESSAGE_KEYS.join('|')})"\\s*:\\s*(?:"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"|(?=[^\\s"]))`,
  'g',
);

/**
 * The string values of the message fields of a JSON object's text, decoded and without trailing white
 * space as `parseStructuredLine` gives its message, without parsing the whole line: one of them is its
 * message when it has one (nested objects' fields may add more). Undefined when a message field holds
 * no string (the line is then parsed).
 */
function messageValues(json: string): string[] | undefined {
  const values: string[] = [];
  MESSAGE_FIELD.lastIndex = 0;
  for (let m = MESSAGE_FIELD.exec(json); m !== null; m = MESSAGE_FIELD.exec(json)) {
    const value = m[1];
    if (value === undefined) return undefined;
    values.push(decodeString(value).replace(/\s+$/, ''));
  }
  return values;
}

/** A JSON string's content (between its quotes) decoded; as it is when it holds no escape or a bad one. */
function decodeString(content: string): string {
  if (!content.includes('\\')) return content;
  try {
    return JSON.parse(`"${content}"`) as string;
  } catch {
    return content;
  }
}

/** `pattern` (global) tested on `line` from its start. */
function testOnce(pattern: RegExp, line: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(line);
}

/** Ascending offsets in `text` as offsets in its UTF-8 bytes. */
function byteOffsets(text: string, offsets: number[]): number[] {
  let bytes = 0;
  let at = 0;
  return offsets.map((offset) => {
    bytes += Buffer.byteLength(text.slice(at, offset));
    at = offset;
    return bytes;
  });
}
