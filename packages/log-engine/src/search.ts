import type { LevelRule } from './classifier.js';
import { createError, LogEngineErrorCodes } from './errors.js';
import { isAtLeast, type Level } from './levels.js';
import { createRecordParser, type LogRecord, recordTime } from './log-record.js';

/** What to look for; every field given must match (ENG-7). */
export interface SearchQuery {
  /** Plain text the line contains. */
  text?: string;
  /** A regular expression (or its source) the line matches. */
  regex?: RegExp | string;
  /** Applies to `text` and to a `regex` given as a string. */
  ignoreCase?: boolean;
  /** Lines at least this severe (`error` also finds `fatal`). */
  level?: Level;
  /** Epoch ms bounds, inclusive; lines without a known time are left out when a bound is set. */
  since?: number;
  until?: number;
  stream?: 'out' | 'err';
  /** Stop after this many hits. */
  limit?: number;
  rules?: readonly LevelRule[];
  /** A user's rules, tried before labels and the content rules (see `compileUserRules`). */
  userRules?: readonly LevelRule[];
}

/** A line found by `searchRecords`. */
export interface SearchHit {
  /** Position of the line in the input. */
  index: number;
  ts: number | undefined;
  level: Level;
  stream: 'out' | 'err' | undefined;
  line: string;
}

/**
 * Searches records (or bare lines) lazily; a line without its own time takes the time of the line before.
 *
 * @example
 * [...searchRecords(lines, { level: 'error', regex: /timeout/i, limit: 20 })];
 */
export function* searchRecords(
  records: Iterable<LogRecord | string>,
  query: SearchQuery = {},
): Generator<SearchHit, void, undefined> {
  const matcher = createMatcher(query);
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  let found = 0;
  let index = 0;
  for (const input of records) {
    if (found >= limit) return;
    const hit = matcher(typeof input === 'string' ? { line: input } : input, index++);
    if (hit !== undefined) {
      found++;
      yield hit;
    }
  }
}

/** The test of `searchRecords` for one record at a time (it remembers the last time seen); `limit` is ignored. */
export function createMatcher(
  query: SearchQuery,
): (record: LogRecord, index: number) => SearchHit | undefined {
  const regex = compile(query);
  const text =
    query.text === undefined ? undefined : query.ignoreCase ? query.text.toLowerCase() : query.text;
  const timed = query.since !== undefined || query.until !== undefined;
  const parse = createRecordParser({ rules: query.rules, userRules: query.userRules });
  let lastTs: number | undefined;
  return (record, index) => {
    if (timed) {
      lastTs = recordTime(record) ?? lastTs;
      if (lastTs === undefined || (query.since !== undefined && lastTs < query.since)) return undefined;
      if (query.until !== undefined && lastTs > query.until) return undefined;
    }
    if (query.stream !== undefined && record.stream !== query.stream) return undefined;
    if (text !== undefined && !(query.ignoreCase ? record.line.toLowerCase() : record.line).includes(text)) {
      return undefined;
    }
    if (regex !== undefined && !regex.test(record.line)) return undefined;
    const parsed = parse(record);
    if (query.level !== undefined && !isAtLeast(parsed.level, query.level)) return undefined;
    const ts = parsed.ts ?? (timed ? lastTs : undefined);
    return { index, ts, level: parsed.level, stream: record.stream, line: record.line };
  };
}

function compile(query: SearchQuery): RegExp | undefined {
  if (query.regex === undefined) return undefined;
  if (query.regex instanceof RegExp)
    return new RegExp(query.regex.source, query.regex.flags.replace(/[gy]/g, ''));
  try {
    return new RegExp(query.regex, query.ignoreCase ? 'i' : '');
  } catch (error) {
    throw createError(
      LogEngineErrorCodes.INVALID_ARGUMENT,
      `regex: expected a valid regular expression, got ${JSON.stringify(query.regex)}`,
      error,
    );
  }
}
