import type { LevelRule } from './classifier.js';
import { serverErrorHits } from './http-status.js';

/** Words the default rules (labels, content rules) need to make a line an error or fatal, case-insensitive. */
const WORDS =
  'e(?:rr|merg|conn|addrinuse|timedout|acces|perm|noent|pipe|xception)|f(?:atal|ail)|panic|c(?:rit|ore dumped|rash)|alert|s(?:evere|egmentation fault)|out of memory|un(?:caught|handled)|traceback';
/** The words only the stderr rules need (`DEFAULT_LEVEL_RULES`, `stream: 'err'`). */
const ERR_WORDS = "unable to|cannot|can't|could not|refused|denied";
const ANY_STREAM = new RegExp(WORDS, 'gi');
const ERR_STREAM = new RegExp(`${WORDS}|${ERR_WORDS}`, 'gi');
/** A level field naming error or fatal by one letter (`level=e`) or by a number ≥ 50 (`"level":50`). */
const LEVEL_FIELD =
  /"(?:level|lvl|severity|loglevel|levelname|log\.level|status)"\s*:\s*(?:"[ef]"|[5-9]\d|[1-9]\d\d|\d+(?:\.\d+)?e)|(?:level|lvl|severity)[=:] ?"?[ef](?![a-z])/gi;
const FIELD_KEYS = ['level', 'lvl', 'severity', 'status'];
/** Line starts of a glog `E1122 …`/`F1122 …` line. */
const GLOG_STARTS = [Buffer.from('\nE'), Buffer.from('\nF')];
/** The same after the space that ends a line's time prefix. */
const GLOG_AFTER_PREFIX = [Buffer.from(' E'), Buffer.from(' F')];
/** Options of `findErrorHints`. */
export interface FindErrorHintsOptions {
  /** Each line starts with a time and a space (Velos's `log_date_format`). */
  isPrefixed?: boolean;
  /** The user's rules that make lines errors (`compileErrorRuleHints`): the lines they match hold an offset too. */
  rules?: ErrorRuleHints;
  /**
   * The text of a line as the record parser is given it (a time prefix taken off): a rule anchored at
   * the start (`^`) is tried on it, line by line. Without it, on the line as it is in `data`.
   */
  lineOf?: (line: string) => string;
}

/** The error and fatal rules of a user's rules, compiled once for `findErrorHints` (`compileErrorRuleHints`). */
export interface ErrorRuleHints {
  /** The patterns for each stream (global, multiline; rules of the same flags joined in one). */
  readonly out: readonly RegExp[];
  readonly err: readonly RegExp[];
  /** For lines of either stream (a file of both). */
  readonly both: readonly RegExp[];
  /** Some pattern holds a `^`: behind a time prefix it is tried line by line (`lineOf`). */
  readonly isAnchored: boolean;
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
    isAnchored: raising.some((rule) => rule.pattern.source.includes('^')),
  };
}

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
 * The byte offsets of the lines of `data` that one of the user's error rules matches, ascending: on the
 * text as UTF-8 (a rule is a JavaScript pattern over the decoded line), one pass for each joined
 * pattern; an anchored rule behind a time prefix line by line, on what `lineOf` leaves of each line.
 */
function ruleHits(data: Buffer, stream: 'out' | 'err' | undefined, options: FindErrorHintsOptions): number[] {
  const rules = options.rules!;
  const patterns = stream === undefined ? rules.both : rules[stream];
  if (patterns.length === 0) return [];
  const text = data.toString('utf8');
  const isAscii = text.length === data.length;
  let hits: number[] = [];
  if (options.lineOf !== undefined && rules.isAnchored) {
    let bytes = 0;
    for (let start = 0; start < text.length; ) {
      const newline = text.indexOf('\n', start);
      const end = newline === -1 ? text.length : newline;
      const line = options.lineOf(text.slice(start, end));
      if (patterns.some((pattern) => testOnce(pattern, line))) hits.push(isAscii ? start : bytes);
      if (!isAscii) bytes += Buffer.byteLength(text.slice(start, end)) + 1;
      start = end + 1;
    }
    return hits;
  }
  for (const pattern of patterns) {
    const found = lineHits(text, pattern);
    hits = mergeSorted(hits, isAscii ? found : byteOffsets(text, found));
  }
  return hits;
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

/**
 * Byte offsets in `data` (lines separated by `\n`) of every place where a line that `createRecordParser()`
 * makes an `error` or `fatal` event may be, ascending: a line holding no offset is not an error event, so
 * a sampler can pass over it unread and still count the error events exactly (parse the lines holding an
 * offset to know). One regex pass over the bytes and a few native searches, no line decoded. It covers
 * the labels, the JSON level fields (an HTTP `status` ≥ 500 too), access-log requests answered 5xx,
 * syslog `<PRI>` prefixes of severity err or worse, and the content rules of `DEFAULT_LEVEL_RULES` (with `stream:
 * 'err'` the stderr-only ones too), except a stack frame or a glog prefix at the start of a JSON line's
 * message; with `isPrefixed` (each line starts with a time and a space, Velos's `log_date_format`) a glog
 * line after the prefix too. A continuation line (`isContinuationLine`: a stack frame, an indented or
 * blank line) is no event, so it needs no offset even when its words would make it an error on its own.
 * An exception line (`isExceptionLine`) is an error event only when the lines before it in its stream do
 * not make it part of a logged error (see `EventTracker`): it holds an offset, and a sampler that judges
 * it must first parse the lines it passed over back to one that `startsEventAlone`.
 */
export function findErrorHints(
  data: Buffer,
  stream?: 'out' | 'err',
  options: FindErrorHintsOptions = {},
): number[] {
  const text = data.toString('latin1');
  let hits = lineHits(text, stream === 'err' ? ERR_STREAM : ANY_STREAM);
  if (options.rules !== undefined) hits = mergeSorted(hits, ruleHits(data, stream, options));
  if (FIELD_KEYS.some((key) => data.includes(key))) hits = mergeSorted(hits, lineHits(text, LEVEL_FIELD));
  // access-log requests answered 5xx, and syslog lines whose <PRI> names err, crit, alert or emerg
  if (data.includes('5')) hits = mergeSorted(hits, serverErrorHits(text));
  if (data[0] === 60 || data.includes('\n<')) hits = mergeSorted(hits, priorityHits(text));
  // glog `E1122 …`/`F1122 …` lines: rare, so two native searches of a line start and a merge
  let starts: number[] = [];
  const first = data[0];
  if ((first === 69 || first === 70) && isDigit(data[1])) starts.push(0);
  for (const needle of options.isPrefixed === true ? [...GLOG_STARTS, ...GLOG_AFTER_PREFIX] : GLOG_STARTS) {
    const found: number[] = [];
    for (let i = data.indexOf(needle); i !== -1; i = data.indexOf(needle, i + 1))
      if (isDigit(data[i + 2])) found.push(i + 1);
    starts = mergeSorted(starts, found);
  }
  return starts.length === 0 ? hits : mergeSorted(hits, starts);
}

/**
 * The offsets of the first match of `pattern` (global) in each line of `text` that has one, ascending:
 * the scan goes on at the next line after a match (one hint per line is all a reader needs).
 */
function lineHits(text: string, pattern: RegExp): number[] {
  const hits: number[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    hits.push(m.index);
    const newline = text.indexOf('\n', m.index);
    if (newline === -1) break;
    pattern.lastIndex = newline + 1;
  }
  return hits;
}

/** A syslog `<PRI>` at a line start whose severity (PRI mod 8) is 3 or less: `syslogPriority` makes it an error or fatal. */
const PRIORITY = /^<(\d{1,3})>/gm;

/** The offsets of the lines that start with a `<PRI>` naming an error or worse, ascending. */
function priorityHits(text: string): number[] {
  const hits: number[] = [];
  PRIORITY.lastIndex = 0;
  for (let m = PRIORITY.exec(text); m !== null; m = PRIORITY.exec(text)) {
    if (Number(m[1]) % 8 <= 3) hits.push(m.index);
  }
  return hits;
}

/** Two ascending lists as one (no comparator sort: the lists can hold a hint per line of a large chunk). */
function mergeSorted(a: number[], b: number[]): number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 48 && byte <= 57;
}
