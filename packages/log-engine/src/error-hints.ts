import { type ErrorRuleHints, ruleHits } from './error-rule-hints.js';
import { lineHits, mergeSorted } from './hint-offsets.js';
import { serverErrorHits } from './http-status.js';
import { logcatLevel } from './logcat-header.js';

/** Words the default rules (labels, content rules) need to make a line an error or fatal, case-insensitive. */
const WORDS = String.raw`e(?:rr|merg|conn|addrinuse|timedout|acces|perm|noent|pipe|xception)|f(?:ata|ail)|\bftl\b|pani(?:c|\b)|c(?:rit|ore dumped|rash)|alert|s(?:evere|egmentation fault)|out of memory|un(?:caught|handled)|traceback`;
/** The words only the stderr rules need (`DEFAULT_LEVEL_RULES`, `stream: 'err'`). */
const ERR_WORDS = "unable to|cannot|can't|could not|refused|denied";
const ANY_STREAM = new RegExp(WORDS, 'gi');
const ERR_STREAM = new RegExp(`${WORDS}|${ERR_WORDS}`, 'gi');
/** A level field naming error or fatal by one letter (`level=e`, MongoDB's `"s":"E"`) or by a number ≥ 50 (`"level":50`). */
const LEVEL_FIELD =
  /"(?:level|lvl|severity|loglevel|levelname|log\.level|status|s)"\s*:\s*(?:"[ef]"|[5-9]\d|[1-9]\d\d|\d+(?:\.\d+)?e)|(?:level|lvl|severity)[=:] ?"?[ef](?![a-z])/gi;
const FIELD_KEYS = ['level', 'lvl', 'severity', 'status', '"s"'];
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
   * The text of a line as the record parser is given it (a time prefix taken off): the rules tried on a
   * line on its own are tried on it (every line for an anchored rule). Without it, the line as in `data`.
   */
  lineOf?: (line: string) => string;
}

/**
 * Byte offsets in `data` (lines separated by `\n`) of every place where a line that `createRecordParser()`
 * makes an `error` or `fatal` event may be, ascending: a line holding no offset is not an error event, so
 * a sampler can pass over it unread and still count the error events exactly (parse the lines holding an
 * offset to know). One regex pass over the bytes and a few native searches, no line decoded. It covers
 * the labels, the JSON level fields (an HTTP `status` ≥ 500 too), access-log requests answered 5xx,
 * syslog `<PRI>` prefixes of severity err or worse, Android logcat lines of priority E, F or A, and the content rules of `DEFAULT_LEVEL_RULES` (with `stream:
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
  if (options.rules !== undefined)
    hits = mergeSorted(hits, ruleHits(data, stream, options.rules, options.lineOf));
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
  if (starts.length > 0) hits = mergeSorted(hits, starts);
  return mergeSorted(hits, logcatHits(data, text, options.isPrefixed === true));
}

/** The priority letters of Android logcat lines that are errors or worse, between spaces. */
const LOGCAT_NEEDLES = [Buffer.from(' E '), Buffer.from(' F '), Buffer.from(' A ')];

/**
 * The offsets of Android logcat lines of priority E, F or A (`03-17 16:13:38.811  1702  2395 E Tag: …`,
 * behind a time prefix with `isPrefixed`), ascending: native searches for the letter, then the header.
 */
function logcatHits(data: Buffer, text: string, isPrefixed: boolean): number[] {
  let hits: number[] = [];
  for (const needle of LOGCAT_NEEDLES) {
    const found: number[] = [];
    for (let i = data.indexOf(needle); i !== -1; i = data.indexOf(needle, i + 1)) {
      const start = text.lastIndexOf('\n', i) + 1;
      // the letter comes after month, day, time and two ids: 24 characters at least
      if (i - start < 24) continue;
      const header = isPrefixed ? text.indexOf(' ', start) + 1 : start;
      if (header > 0 && header < i && logcatLevel(text.slice(header, i + 3)) !== undefined) found.push(start);
      else if (isPrefixed && logcatLevel(text.slice(start, i + 3)) !== undefined) found.push(start);
    }
    hits = mergeSorted(hits, found);
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

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 48 && byte <= 57;
}
