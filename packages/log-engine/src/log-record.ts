import { stripAnsi } from './ansi.js';
import { type ClassifierOptions, createStrippedClassifier } from './classifier.js';
import { type DotnetHeader, isDotnetScopeLine, parseDotnetHeader } from './dotnet-header.js';
import { EventTracker, isContextFree } from './event-tracker.js';
import { klogHeaderEnd, parseKlogHeader } from './klog-header.js';
import type { Level } from './levels.js';
import { parseLogcatHeader } from './logcat-header.js';
import { parseLogfmtLine } from './logfmt-line.js';
import { parseRubyLoggerHeader } from './ruby-logger-header.js';
import { stackFrameOf } from './stack-frame.js';
import { parseStructuredLine } from './structured-line.js';
import { syslogHostEnd } from './syslog-host.js';
import { syslogPriority } from './syslog-priority.js';
import { type LeadingTimestamp, parseBracketedTimestamp, parseLeadingTimestamp } from './timestamp.js';

/** One captured line: `ts` in epoch ms when known, `stream` when it came from a process. */
export interface LogRecord {
  ts?: number;
  stream?: 'out' | 'err';
  line: string;
}

/** A record as the engine understands it: its time, level, and the message that is mined. */
export interface ParsedRecord {
  /**
   * The record's `ts`, else the time written in the line: a JSON field, a leading timestamp, or a time
   * in brackets further on (an access log's `[10/Oct/2000:13:55:36 -0700]`).
   */
  ts: number | undefined;
  stream: 'out' | 'err' | undefined;
  /** The line without terminal escape sequences (colours). */
  line: string;
  /**
   * The text without its leading syslog priority and timestamp (or klog/glog header, or both), the `msg` field of a JSON line, or a
   * logfmt line's `msg` and its other pairs (`parseLogfmtLine`).
   */
  message: string;
  /** The line's level; a continuation line has the level of the line that started its event. */
  level: Level;
  /** Fields of a JSON line other than time, level and message. */
  fields: Record<string, unknown> | undefined;
  /**
   * True for a line that continues the event before it (a stack frame, a blank line, see
   * `isContinuationLine`): it is no event of its own, and the engine counts it apart from the levels.
   */
  isContinuation: boolean;
  /**
   * The stack frame a continuation line names, trimmed and behind a prefix the trace's lines repeat
   * (`at fn (/srv/x.js:1:2)`, `File "a.py", line 3, in f`, see `stackFrameOf`); else undefined.
   */
  frame: string | undefined;
  /**
   * True for the header of a .NET console entry (`info: Microsoft.Hosting.Lifetime[14]`, see
   * `parseDotnetHeader`) and the scope lines under it: lines of an event whose message has not come
   * yet. They continue no event (`isContinuation` is true) and carry the header's level and `fields`.
   */
  awaitsMessage?: true;
  /**
   * For the indented message line under a .NET console header: that header line. The record is the
   * event, at the header's level, its `fields` the header's `category` and `eventId`.
   */
  header?: string;
  /**
   * A .NET console header of this record's stream whose message never came (this line is none): an
   * event of its own, to count before this record, its message the header's text.
   */
  orphan?: ParsedRecord;
}

/** A function that parses records, in order per stream. */
export type RecordParser = ((record: LogRecord | string) => ParsedRecord) & {
  /** Forgets the events of `stream`: its next record is judged as if it were the first (a reader that skipped lines). */
  forget(stream?: 'out' | 'err'): void;
  /**
   * Ends the input: the .NET console headers still waiting for their message (`awaitsMessage`), as
   * events of their own, which it forgets.
   */
  end(): ParsedRecord[];
};

/** A .NET console header waiting for its message line. */
interface WaitingHeader {
  header: DotnetHeader;
  ts: number | undefined;
  stream: 'out' | 'err' | undefined;
  line: string;
  message: string;
}

/**
 * Builds the record parser: JSON lines give their own time, level and message (LOG-5); plain lines lose a
 * leading timestamp from their message and are classified by `createClassifier(options)`, except a line
 * that continues the event before it in its stream (an `EventTracker` judges: a stack frame, a blank
 * line, the exception line under a logged error), which takes the level of that event. A .NET console
 * entry (`info: Category[14]`, its message indented on the next line) is one event: the message line,
 * at the header's level (see `ParsedRecord.awaitsMessage`, `header` and `orphan`).
 */
export function createRecordParser(options: ClassifierOptions = {}): RecordParser {
  const classify = createStrippedClassifier(options);
  const context: { stream?: 'out' | 'err' } = {};
  const events = new EventTracker((text, stream) => {
    context.stream = stream;
    return classify(text, context);
  });
  const waiting: Record<'out' | 'err' | 'none', WaitingHeader | undefined> = {
    out: undefined,
    err: undefined,
    none: undefined,
  };
  // cheap first: most logs never have a header waiting
  let isWaiting = false;
  const settle = (): void => {
    isWaiting = waiting.out !== undefined || waiting.err !== undefined || waiting.none !== undefined;
  };
  /** The record of a .NET header, which waits for its message: its event starts there, whatever came before. */
  const openHeader = (
    header: DotnetHeader,
    ts: number | undefined,
    stream: 'out' | 'err' | undefined,
    line: string,
    message: string,
  ): ParsedRecord => {
    events.forget(stream);
    waiting[stream ?? 'none'] = { header, ts, stream, line, message };
    isWaiting = true;
    return {
      ts,
      stream,
      line,
      message,
      level: header.level,
      fields: fieldsOf(header),
      isContinuation: true,
      frame: undefined,
      awaitsMessage: true,
    };
  };
  /** The record of a line of a stream whose .NET header waits for its message; undefined when none waits. */
  const parseWaiting = (record: LogRecord): ParsedRecord | undefined => {
    const key = record.stream ?? 'none';
    const open = waiting[key];
    if (open === undefined) return undefined;
    waiting[key] = undefined;
    settle();
    const line = stripAnsi(record.line);
    const under = underHeader(open, record, line);
    if (under === undefined) {
      const parsed = parse(record);
      parsed.orphan = orphanOf(open);
      return parsed;
    }
    const { parsed, lead, judged } = under;
    if (parsed.awaitsMessage) {
      waiting[key] = open;
      isWaiting = true;
    } else events.start(lead, record.stream, open.header.level, judged, true);
    return parsed;
  };
  const parse = (input: LogRecord | string): ParsedRecord => {
    const record: LogRecord = typeof input === 'string' ? { line: input } : input;
    if (isWaiting) {
      const parsed = parseWaiting(record);
      if (parsed !== undefined) return parsed;
    }
    const line = stripAnsi(record.line);
    const stream = record.stream;
    const structured = parseStructuredLine(line);
    if (structured !== undefined) {
      // a JSON line that wraps a stack frame (Velos's own JSON log format, a shipper's) continues an event
      const message = structured.message;
      const dotnet = parseDotnetHeader(message);
      if (dotnet !== undefined) return openHeader(dotnet, record.ts ?? structured.ts, stream, line, message);
      const isContinuation = message.length > 0 && events.judge(message, stream, structured.level);
      if (message.length === 0) events.start(message, stream, structured.level);
      return {
        ts: record.ts ?? structured.ts,
        stream,
        line,
        message,
        level: events.level(stream),
        fields: structured.fields,
        isContinuation,
        frame: isContinuation ? stackFrameOf(events.continued(stream)) : undefined,
      };
    }
    const body = withoutPriority(line);
    const leading = leadingHeader(body);
    const message = leading === undefined ? body : body.slice(leading.end);
    const judged = leading === undefined ? message : indented(body, leading.end, message);
    const dotnet = parseDotnetHeader(message);
    if (dotnet !== undefined) return openHeader(dotnet, record.ts ?? leading?.ts, stream, line, message);
    if (events.judge(line, stream, undefined, judged)) {
      return {
        ts: record.ts,
        stream,
        line,
        message: line,
        level: events.level(stream),
        fields: undefined,
        isContinuation: true,
        frame: stackFrameOf(events.continued(stream)),
      };
    }
    const logfmt = leading === undefined ? parseLogfmtLine(body) : undefined;
    if (logfmt !== undefined) {
      return {
        ts: record.ts ?? logfmt.ts,
        stream,
        line,
        message: logfmt.message,
        level: events.level(stream),
        fields: undefined,
        isContinuation: false,
        frame: undefined,
      };
    }
    return {
      ts: record.ts ?? leading?.ts ?? parseBracketedTimestamp(body),
      stream,
      line,
      // a line that is only a time (`date` run as a job) is its own message: its template is a date
      message: message.trim() === '' ? body : message,
      level: events.level(stream),
      fields: undefined,
      isContinuation: false,
      frame: undefined,
    };
  };
  const end = (): ParsedRecord[] => {
    const ended: ParsedRecord[] = [];
    for (const key of ['out', 'err', 'none'] as const) {
      const open = waiting[key];
      if (open === undefined) continue;
      waiting[key] = undefined;
      ended.push(orphanOf(open));
    }
    isWaiting = false;
    return ended;
  };
  const forget = (stream?: 'out' | 'err'): void => {
    waiting[stream ?? 'none'] = undefined;
    settle();
    events.forget(stream);
  };
  return Object.assign(parse, { forget, end });
}

/**
 * The record of `line` when it goes with the .NET header `open` waiting in its stream: a scope line
 * (`awaitsMessage`), or the message, indented (behind a time the lines repeat, `kubectl logs
 * --timestamps`, or in a JSON line's message); undefined for any other line, which leaves the header an
 * event of its own. `lead` and `judged` start the line's event (`EventTracker.start`'s `text` and `message`).
 */
function underHeader(
  open: WaitingHeader,
  record: LogRecord,
  line: string,
): { parsed: ParsedRecord; lead: string; judged: string } | undefined {
  const structured = parseStructuredLine(line);
  const text = structured === undefined ? eventMessageOf(line) : structured.message;
  const c = text.charCodeAt(0);
  if ((c !== 32 && c !== 9) || text.trim() === '') return undefined;
  const base = {
    stream: record.stream,
    line,
    level: open.header.level,
    fields: fieldsOf(open.header),
    frame: undefined,
  };
  const ts =
    record.ts ??
    (structured === undefined ? leadingHeader(withoutPriority(line))?.ts : structured.ts) ??
    open.ts;
  const parsed: ParsedRecord = isDotnetScopeLine(text)
    ? { ...base, ts, message: line, isContinuation: true, awaitsMessage: true }
    : { ...base, ts, message: text.trim(), isContinuation: false, header: open.line };
  return { parsed, lead: structured === undefined ? line : text, judged: text };
}

/** A .NET header whose message never came, as an event of its own. */
function orphanOf(open: WaitingHeader): ParsedRecord {
  return {
    ts: open.ts,
    stream: open.stream,
    line: open.line,
    message: open.message,
    level: open.header.level,
    fields: fieldsOf(open.header),
    isContinuation: false,
    frame: undefined,
  };
}

function fieldsOf(header: DotnetHeader): Record<string, unknown> {
  return { category: header.category, eventId: header.eventId };
}

/**
 * True when `createRecordParser` makes `line` start an event whatever lines of its stream came before
 * it (neither a continuation line, an exception line, nor a trace's line behind a prefix, which the
 * lines before decide): a reader that
 * passed over lines and must judge one that depends on them can parse the lines it passed over again
 * from the last such line.
 */
export function startsEventAlone(raw: string): boolean {
  const line = stripAnsi(raw);
  const structured = parseStructuredLine(line);
  if (structured === undefined) return isContextFree(line) && !BEHIND_PREFIX.test(line);
  return structured.message.length === 0 || isContextFree(structured.message);
}

/**
 * A line that may continue a trace behind a prefix its lines repeat (`api-1  |     at f (x.js:1:2)`,
 * `[ERROR]   File "a.py", line 3`, `[<request id>] app/x.rb:5:in 'show'`, a prefix and nothing after it):
 * whether it does depends on the event's first line.
 */
const BEHIND_PREFIX =
  /(?: {2,}|\t)at \S|[|:\]>] at \S[^(]* \(|[\s|:\]>](?:\s*File "|Traceback \(|Caused by: |\.\.\. \d+ more)|[|:\]>] {2,}\S|\t|[|:\]>] *$|\.(?:rb|erb|haml|slim|rake|ru|builder|jbuilder):\d+:in [`']/;

/**
 * The time of a record without classifying it: its `ts`, a JSON time field, a leading timestamp, or a
 * time in brackets further on (`parseBracketedTimestamp`).
 */
export function recordTime(record: LogRecord): number | undefined {
  if (record.ts !== undefined) return record.ts;
  const line = stripAnsi(record.line);
  const structured = parseStructuredLine(line);
  if (structured !== undefined) return structured.ts;
  const body = withoutPriority(line);
  const leading = leadingHeader(body);
  if (leading !== undefined) return leading.ts;
  return parseLogfmtLine(body)?.ts ?? parseBracketedTimestamp(body);
}

/**
 * The text of a line that is mined: the `msg` of a JSON line, or the line without its colours, syslog
 * priority and leading timestamp or klog/glog header (`E1204 10:00:00.123456   12345 file.go:123] `), or both.
 */
export function messageOf(raw: string): string {
  const line = stripAnsi(raw);
  const structured = parseStructuredLine(line);
  if (structured !== undefined) return structured.message;
  const body = withoutPriority(line);
  const leading = leadingHeader(body);
  if (leading !== undefined) return body.slice(leading.end);
  return parseLogfmtLine(body)?.message ?? body;
}

/**
 * The text by which `createRecordParser` judges whether a plain line (without colours, see `stripAnsi`)
 * continues the event before it (`EventTracker.judge`'s `message`): the line behind its syslog priority
 * and its leading timestamp or klog/glog header, keeping the white space that indents the rest, so that
 * `2026-11-22T10:00:00Z     at f (x.js:1:2)` is a stack frame. A reader that judges events itself
 * (searching with a lazy classifier) agrees with the parser through it.
 */
export function eventMessageOf(line: string): string {
  const body = withoutPriority(line);
  const leading = leadingHeader(body);
  return leading === undefined ? body : indented(body, leading.end, body.slice(leading.end));
}

/**
 * The time that starts `body` and where its message starts: a klog/glog header, a Ruby `Logger` header
 * (`I, [2026-03-14T09:00:00.123456 #42]  INFO -- : `), an Android logcat header
 * (`03-17 16:13:38.811  1702  2395 E `), or a leading timestamp
 * and the klog/glog header or the syslog host (`syslogHostEnd`) after it, if any (a line written with `--time`, `kubectl logs --timestamps`):
 * the header leaves the message there too, and the time is the timestamp's (it names the year).
 */
function leadingHeader(body: string): LeadingTimestamp | undefined {
  const klog = parseKlogHeader(body);
  if (klog !== undefined) return klog;
  const ruby = parseRubyLoggerHeader(body);
  if (ruby !== undefined) return ruby;
  const logcat = parseLogcatHeader(body);
  if (logcat !== undefined) return logcat;
  const leading = parseLeadingTimestamp(body);
  if (leading === undefined) return undefined;
  const end = klogHeaderEnd(body, leading.end);
  if (end !== -1) return { ts: leading.ts, end };
  // a syslog host (`web-3 sshd[4121]: `) leaves the message too, after a syslog date (a month name) or
  // an RFC 3339 time (rsyslog's, `2026-03-02T10:00:00.1+01:00`); other times (an app's) are not looked past
  const c = body.charCodeAt(0);
  const syslogDate = c >= 65 && c <= 90;
  if (!syslogDate && body.charCodeAt(10) !== 84) return leading;
  const host = syslogHostEnd(body, leading.end, syslogDate);
  return host === -1 ? leading : { ts: leading.ts, end: host };
}

/**
 * `message`, `body` from `end` where a leading time ends (after the white space that follows it), with the
 * white space beyond one separating space: `2026-11-22T10:00:00Z     at f (x.js:1:2)` is an indented frame.
 */
function indented(body: string, end: number, message: string): string {
  let from = end;
  while (from > 1 && body.charCodeAt(from - 1) === 32 && body.charCodeAt(from - 2) === 32) from--;
  return from === end ? message : body.slice(from);
}

/** The line after a syslog `<PRI>` (`<34>Oct 11 22:14:15 …`), whose time and message follow. */
function withoutPriority(line: string): string {
  if (line.charCodeAt(0) !== 60) return line;
  const priority = syslogPriority(line);
  return priority === undefined ? line : line.slice(priority.end);
}
