import type { LogLine, LogsSearchRequest, LogsSearchResult } from '@velos/core';
import {
  type Classifier,
  createClassifier,
  EventTracker,
  ExitContext,
  type ExitFact,
  isAtLeast,
  isCrashExit,
  type Level,
  recordTime,
} from '@velos/log-engine';
import { MAX_LOG_ANSWER_BYTES } from '../logs/answer-budget.js';
import { createDateFormat } from '../logs/date-format.js';
import { bytesUnlessUtf8 } from '../logs/line-batch.js';
import { createLineDecoder, type DecodedLine } from '../logs/line-format.js';
import { logLineBytes } from '../logs/log-line-bytes.js';
import { bytesOfText } from '../logs/log-tail-files.js';
import { firstTimeOf } from './analyze-sampling.js';
import { isDaemonNote } from './daemon-note.js';
import { grepMatches } from './grep-match.js';
import { compileGrep } from './grep-pattern.js';
import { eventTextOf, recordOf } from './line-events.js';
import { hasStream, type LogSource, listLogSources, scanSource } from './log-scan.js';
import { LOG_QUERY_BUDGET_MS, type LogQueryTarget, queryFilesOf } from './log-target.js';
import { userRulesOf } from './target-rules.js';
import { orderTime } from './time-lookup.js';
import { createWrittenTimes } from './written-times.js';

/** Matching lines returned when the request does not say. */
export const DEFAULT_SEARCH_LIMIT = 100;

/**
 * ENG-7 over the files of one app or several (`all`, a namespace, a /regex/ of names): the newest
 * `limit` lines (default 100) that are in the time range, at least `level` and match `grep`, oldest
 * first and within 4 MiB, each line under its app's name. Files (of every app) are read newest first,
 * each forward, and reading stops once older files cannot hold newer matches; at most 10 s of reading
 * in all, the apps sharing the budget, the limit and the byte limit. Lines of the out and err files
 * (and of the apps) are merged in arrival order as the time index tells it (`orderTime`: a
 * whole-second time prefix does not put a second's out lines before its err lines); each shows its
 * own time. `withBytes`: lines of plain (not JSON) files that are not valid UTF-8 carry their bytes.
 * With a level, an app's exits (`LogQueryTarget.exits`) give its lines the exit context a summary
 * gives them (`ExitContext`: the stderr line just before a crash is an error), so the two agree.
 */
export async function searchLogs(
  targets: LogQueryTarget | LogQueryTarget[],
  request: LogsSearchRequest,
): Promise<LogsSearchResult> {
  const regex = request.grep === undefined ? undefined : compileGrep(request.grep, request.ignoreCase);
  const limit = request.limit ?? DEFAULT_SEARCH_LIMIT;
  const range = { since: request.since, until: request.until, deadline: Date.now() + LOG_QUERY_BUDGET_MS };
  // each app's classifier, with its own `log_rules`, made once per request
  const classifiers = new Map<LogQueryTarget, Classifier>();
  const classifierOf = (target: LogQueryTarget): Classifier => {
    let classifier = classifiers.get(target);
    if (classifier === undefined) {
      classifier = createClassifier(userRulesOf(target));
      classifiers.set(target, classifier);
    }
    return classifier;
  };
  const sources: AppSource[] = [];
  // ENG-1 exit context: with a level, the lines of each app are judged with its crashes, as a summary does
  const exitsOf = new Map<LogQueryTarget, ExitFact[]>();
  for (const target of Array.isArray(targets) ? targets : [targets]) {
    target.flushTimeIndex();
    const reader = readerOf(target, request.withBytes === true);
    const listed: LogSource[] = [];
    for (const files of queryFilesOf(target)) {
      for (const source of await listLogSources({ ...files, lineTimes: target.lineTimes }, range)) {
        listed.push(source);
        if (hasStream(source.stream, request.stream))
          sources.push({ source, target, id: files.id, ...reader });
      }
    }
    if (request.level !== undefined && target.exits !== undefined) {
      const exits = await target.exits({ since: firstTimeOf(listed, range), until: range.until });
      if (exits.some(isCrashExit)) exitsOf.set(target, exits);
    }
  }
  sources.sort((a, b) => b.source.endTs - a.source.endTs);
  // each line with the time it is ordered by among the lines of the other files (`orderTime`)
  let hits: Hit[] = [];
  const files: string[] = [];
  let lines = 0;
  let matched = 0;
  let isPartial = false;
  for (const { source, target, id, decode, resolutionMs, keepBytes } of sources) {
    if (hits.length >= limit && source.endTs < hits[hits.length - limit]!.order) break;
    files.push(source.path);
    const found: Hit[] = [];
    const stream = source.stream ?? 'out';
    // with a level, a line that continues an event (a stack frame, a blank line, the exception under a
    // logged error) has the level of its event, classified only when it is asked for
    let event: DecodedLine | undefined;
    const classify = request.level === undefined ? undefined : classifierOf(target);
    const levelOf = (line: string, lvl: string | undefined): Level =>
      (lvl as Level | undefined) ?? classify!(line, { stream });
    const events =
      classify === undefined
        ? undefined
        : new EventTracker(() => (event === undefined ? 'info' : levelOf(event.line, event.lvl)));
    const isAsked = (level: Level): boolean =>
      isAtLeast(level === ('trace' as Level) ? 'debug' : level, request.level!);
    const keep = (hit: Hit): void => {
      matched += 1;
      found.push(hit);
      if (found.length > limit * 2) found.splice(0, found.length - limit);
    };
    const hitOf = (
      text: string,
      decoded: DecodedLine,
      data: Buffer,
      start: number,
      end: number,
      ts?: number,
    ) => {
      const line: LogLine = {
        ts: decoded.ts ?? ts ?? 0,
        stream: decoded.stream ?? stream,
        id,
        name: target.name,
        pid: decoded.pid,
        line: decoded.line,
      };
      if (decoded.lvl !== undefined) line.lvl = decoded.lvl;
      if (decoded.fields !== undefined) line.fields = decoded.fields;
      if (keepBytes) {
        const bytes = bytesUnlessUtf8(text, data.subarray(start, end));
        const body = bytes === undefined ? undefined : bytesOfText(text, decoded.line, bytes);
        if (body !== undefined) line.bytes = body;
      }
      // lines timed as written (stdin) keep the order they came in: their times may go back
      const order = source.lineTimes === 'written' ? 0 : orderTime(decoded.ts, ts, resolutionMs);
      return { line, order };
    };
    // the same `ExitContext` as a summary's: the lines of stderr (or of a merged file) just before a
    // crash may be raised to error, so each line's level is known when it is read (not only when asked)
    const exits = source.stream === 'out' ? undefined : exitsOf.get(target);
    const context =
      exits === undefined
        ? undefined
        : new ExitContext<Hit | undefined>(
            exits,
            (parsed, hit) => {
              if (hit !== undefined && isAsked(parsed.level)) keep(withLevel(hit, parsed.level));
            },
            { isNote: isDaemonNote },
          );
    // lines timed as written (stdin): the scan gives their times only to filter by a range; without one
    // each answer carries the time written in its line, or in the last line before it that has one
    const writtenTime =
      source.lineTimes === 'written' && range.since === undefined && range.until === undefined
        ? createWrittenTimes()
        : undefined;
    const { lines: read, completed } = await scanSource(source, range, (data, start, end, scanned) => {
      const text = data.toString('utf8', start, end);
      const ts = scanned ?? writtenTime?.(text);
      let decoded: DecodedLine | undefined;
      let isContinuation = false;
      if (events !== undefined) {
        decoded = decode(text);
        const [judged, message] = eventTextOf(decoded.line);
        if (judged.length === 0) events.start(judged, stream);
        isContinuation = judged.length !== 0 && events.judge(judged, stream, undefined, message);
        if (!isContinuation) event = decoded;
      }
      const isMatch = regex === undefined || grepMatches(regex, text);
      if (context !== undefined) {
        const hit = isMatch ? hitOf(text, decoded!, data, start, end, ts) : undefined;
        // the time a summary judges the line by: the time index's, else the one written in the line
        const time = ts ?? decoded!.ts ?? recordTime({ line: decoded!.line });
        context.push(
          recordOf(time, source.stream, decoded!.line, events!.level(stream), isContinuation),
          hit,
        );
        return;
      }
      if (!isMatch) return;
      if (events === undefined) return keep(hitOf(text, decode(text), data, start, end, ts));
      const level = events.level(stream);
      if (isAsked(level)) keep(withLevel(hitOf(text, decoded!, data, start, end, ts), level));
    });
    context?.flush();
    lines += read;
    // only the newest `limit` of all the files read so far can be in the answer
    hits = hits
      .concat(found.slice(-limit))
      .sort((a, b) => a.order - b.order)
      .slice(-limit);
    if (!completed) {
      isPartial = true;
      break;
    }
  }
  const newest = hits.map((hit) => hit.line);
  const kept = withinBytes(newest, MAX_LOG_ANSWER_BYTES);
  const result: LogsSearchResult = {
    lines: kept,
    scanned: { lines, files: files.reverse(), ...(isPartial ? { isPartial } : {}) },
  };
  // one instance of an app whose instances share their files: the lines are theirs all
  const shared = (Array.isArray(targets) ? targets : [targets]).flatMap((target) => target.sharedBy ?? []);
  if (shared.length > 0) result.sharedBy = shared;
  const omitted = matched - kept.length;
  if (omitted > 0) {
    result.cut = {
      ...(matched > newest.length ? { limit } : {}),
      ...(kept.length < newest.length ? { maxBytes: MAX_LOG_ANSWER_BYTES } : {}),
      omittedLines: omitted,
      files: result.scanned.files,
    };
  }
  return result;
}

/** How the lines of one app's files are read back. */
interface Reader {
  decode: (text: string) => DecodedLine;
  /** The resolution of the times its lines are written with (ms). */
  resolutionMs: number;
  /** Lines that are not valid UTF-8 carry their bytes. */
  keepBytes: boolean;
}

/** A log file to search, with the app it belongs to and how its lines are read. */
interface AppSource extends Reader {
  source: LogSource;
  target: LogQueryTarget;
  /** The process its lines are shown under: its own, or the app's first for a file its processes share. */
  id: number;
}

function readerOf(target: LogQueryTarget, withBytes: boolean): Reader {
  return {
    decode: createLineDecoder({ format: target.format, dateFormat: target.dateFormat }),
    // JSON records hold milliseconds; a time prefix what its format prints
    resolutionMs:
      target.format === 'json' || target.dateFormat === undefined
        ? 1
        : createDateFormat(target.dateFormat).resolutionMs,
    // JSON Lines hold text only: their bytes are not the app's
    keepBytes: withBytes && target.format !== 'json',
  };
}

interface Hit {
  line: LogLine;
  order: number;
}

/** A hit of a search by level with the level it was judged at (`lvl`), also on a plain log line. */
function withLevel(hit: Hit, level: Level): Hit {
  hit.line.lvl = level;
  return hit;
}

/** The newest lines of `lines` (oldest first) that fit in `maxBytes`. */
function withinBytes(lines: LogLine[], maxBytes: number): LogLine[] {
  let bytes = 0;
  let start = lines.length;
  while (start > 0 && bytes + logLineBytes(lines[start - 1]!) <= maxBytes) {
    bytes += logLineBytes(lines[start - 1]!);
    start -= 1;
  }
  return lines.slice(start);
}
