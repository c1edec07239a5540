import { type ClassifierOptions, createClassifier } from './classifier.js';
import type { Level } from './levels.js';
import { parseStructuredLine } from './structured-line.js';
import { parseLeadingTimestamp } from './timestamp.js';

/** One captured line: `ts` in epoch ms when known, `stream` when it came from a process. */
export interface LogRecord {
  ts?: number;
  stream?: 'out' | 'err';
  line: string;
}

/** A record as the engine understands it: its time, level, and the message that is mined. */
export interface ParsedRecord {
  /** The record's `ts`, else the time written in the line (JSON field or leading timestamp). */
  ts: number | undefined;
  stream: 'out' | 'err' | undefined;
  line: string;
  /** The text without its leading timestamp, or the `msg` field of a JSON line. */
  message: string;
  level: Level;
  /** Fields of a JSON line other than time, level and message. */
  fields: Record<string, unknown> | undefined;
}

/** A function that parses records. */
export type RecordParser = (record: LogRecord | string) => ParsedRecord;

/**
 * Builds the record parser: JSON lines give their own time, level and message (LOG-5); plain lines lose a
 * leading timestamp from their message and are classified by `createClassifier(options)`.
 */
export function createRecordParser(options: ClassifierOptions = {}): RecordParser {
  const classify = createClassifier(options);
  const context: { stream?: 'out' | 'err' } = {};
  return (input) => {
    const record: LogRecord = typeof input === 'string' ? { line: input } : input;
    const line = record.line;
    const structured = parseStructuredLine(line);
    if (structured !== undefined) {
      context.stream = record.stream;
      return {
        ts: record.ts ?? structured.ts,
        stream: record.stream,
        line,
        message: structured.message,
        level: structured.level ?? classify(structured.message, context),
        fields: structured.fields,
      };
    }
    const leading = parseLeadingTimestamp(line);
    context.stream = record.stream;
    return {
      ts: record.ts ?? leading?.ts,
      stream: record.stream,
      line,
      message: leading === undefined ? line : line.slice(leading.end),
      level: classify(line, context),
      fields: undefined,
    };
  };
}

/** The time of a record without classifying it: its `ts`, a JSON time field, or a leading timestamp. */
export function recordTime(record: LogRecord): number | undefined {
  if (record.ts !== undefined) return record.ts;
  const structured = parseStructuredLine(record.line);
  return structured === undefined ? parseLeadingTimestamp(record.line)?.ts : structured.ts;
}

/** The text of a line that is mined: the `msg` of a JSON line, or the line without its leading timestamp. */
export function messageOf(line: string): string {
  const structured = parseStructuredLine(line);
  if (structured !== undefined) return structured.message;
  const leading = parseLeadingTimestamp(line);
  return leading === undefined ? line : line.slice(leading.end);
}
