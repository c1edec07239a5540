import { isoTime, type LogFormat, type LogLine } from '@velos/core';
import { createDateFormat } from './date-format.js';
import { type LineBatch, type LogStream, lineStrings } from './line-batch.js';

/** A JSON-object line taken apart (LOG-5): its own time and level if it has them, its message, the rest. */
export interface StructuredLine {
  ts: number | undefined;
  lvl: string | undefined;
  msg: string;
  fields: Record<string, unknown>;
}

/** Gives the level of a line for the JSON format; with `structure`, JSON-object lines are parsed (LOG-5). */
export type LineClassifier = ((line: string, stream: LogStream) => string) & {
  /** Takes a line that starts with `{` apart; undefined when it is not a JSON object. */
  readonly structure?: (line: string) => StructuredLine | undefined;
};

/** How lines are written to and read back from a log file. */
export interface LineFormatOptions {
  format: LogFormat;
  dateFormat?: string;
  classify?: LineClassifier;
}

/** A line read back from a log file: what the file says about it (null where it says nothing). */
export interface DecodedLine {
  ts: number | null;
  stream: LogStream | null;
  pid: number | null;
  line: string;
  /** JSON Lines files: the level of the line (LOG-5). */
  lvl?: string;
  /** JSON Lines files: the other fields of a parsed JSON line (LOG-5). */
  fields?: Record<string, unknown>;
}

/** Turns a batch of raw lines into the bytes written to the file. */
export type LineEncoder = (batch: LineBatch) => Buffer;
/** Reads one line of a log file (without its newline) back. */
export type LineDecoder = (text: string) => DecodedLine;

/** The default classifier: `info` for stdout, `error` for stderr. */
export const defaultClassify: LineClassifier = (_line, stream) => (stream === 'err' ? 'error' : 'info');

/**
 * The file encoder of a format: plain without a date format writes the batch's bytes untouched,
 * plain with one prefixes every line with the time and a space, json writes one JSON Lines record
 * `{"ts","lvl","pid","msg","src"}` per line (invalid UTF-8 in `msg` becomes U+FFFD); a line that is
 * itself a JSON object (LOG-5, with `classify.structure`) keeps its own time, level and message, and
 * its other fields go to `"fields"`.
 */
export function createLineEncoder(options: LineFormatOptions): LineEncoder {
  if (options.format === 'json') {
    const classify = options.classify ?? defaultClassify;
    return (batch) => encodeJson(batch, classify);
  }
  if (options.dateFormat === undefined) return (batch) => batch.data;
  const dateFormat = createDateFormat(options.dateFormat);
  return (batch) => prefixLines(batch, Buffer.from(`${dateFormat.format(batch.ts)} `));
}

/** The decoder matching `createLineEncoder(options)`; lines it cannot parse are returned as plain text. */
export function createLineDecoder(options: LineFormatOptions): LineDecoder {
  const dateFormat = options.dateFormat === undefined ? null : createDateFormat(options.dateFormat);
  const plain = (text: string): DecodedLine => {
    const prefixed = dateFormat?.parse(text);
    if (!prefixed) return { ts: null, stream: null, pid: null, line: text };
    return { ts: prefixed.ts, stream: null, pid: null, line: prefixed.rest };
  };
  if (options.format !== 'json') return plain;
  return (text) => decodeJson(text) ?? plain(text);
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

function encodeJson(batch: LineBatch, classify: LineClassifier): Buffer {
  const { data, stream } = batch;
  const head = `{"ts":"${isoTime(batch.ts)}","lvl":`;
  const middle = `,"pid":${batch.pid ?? 'null'},"msg":`;
  const tail = `,"src":"${stream}"}\n`;
  const { structure } = classify;
  let text = '';
  let lastLevel = '';
  let lastLevelJson = '""';
  for (const line of lineStrings(data)) {
    const structured =
      structure !== undefined && line.charCodeAt(0) === OPEN_BRACE ? structure(line) : undefined;
    if (structured) {
      text += encodeStructured(batch, structured, classify);
      continue;
    }
    const level = classify(line, stream);
    if (level !== lastLevel) {
      lastLevel = level;
      lastLevelJson = JSON.stringify(level);
    }
    const msg = NEEDS_ESCAPE.test(line) ? JSON.stringify(line) : `"${line}"`;
    text += head + lastLevelJson + middle + msg + tail;
  }
  return Buffer.from(text);
}

/**
 * Gives a captured line of an app with JSON log files what its file record holds (LOG-5): its level,
 * and for a JSON-object line its message, own time and other fields; changes and returns `line`.
 */
export function structureLogLine(line: LogLine, classify: LineClassifier): LogLine {
  const text = line.line;
  const structured =
    classify.structure !== undefined && text.charCodeAt(0) === OPEN_BRACE
      ? classify.structure(text)
      : undefined;
  if (!structured) {
    line.lvl = classify(text, line.stream);
    return line;
  }
  line.line = structured.msg;
  line.lvl = structured.lvl ?? classify(structured.msg, line.stream);
  if (structured.ts !== undefined && Number.isFinite(structured.ts)) line.ts = structured.ts;
  if (Object.keys(structured.fields).length > 0) line.fields = structured.fields;
  return line;
}

const OPEN_BRACE = 123;

function encodeStructured(batch: LineBatch, line: StructuredLine, classify: LineClassifier): string {
  const ts = new Date(line.ts ?? batch.ts);
  const record: Record<string, unknown> = {
    ts: isoTime(Number.isNaN(ts.getTime()) ? batch.ts : ts.getTime()),
    lvl: line.lvl ?? classify(line.msg, batch.stream),
    pid: batch.pid,
    msg: line.msg,
    src: batch.stream,
  };
  if (Object.keys(line.fields).length > 0) record.fields = line.fields;
  // JSON.parse output always serialises again: no BigInt, no cycles
  return `${JSON.stringify(record)}\n`;
}

function prefixLines(batch: LineBatch, prefix: Buffer): Buffer {
  const { data } = batch;
  const out = Buffer.allocUnsafe(data.length + batch.lines * prefix.length);
  let written = 0;
  let start = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, start)) {
    written += prefix.copy(out, written);
    written += data.copy(out, written, start, i + 1);
    start = i + 1;
  }
  return out.subarray(0, written);
}

function decodeJson(text: string): DecodedLine | null {
  if (!text.startsWith('{')) return null;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof record !== 'object' || record === null) return null;
  const { ts, pid, msg, src, lvl, fields } = record as Record<string, unknown>;
  if (typeof msg !== 'string') return null;
  const time = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
  const decoded: DecodedLine = {
    ts: Number.isNaN(time) ? null : time,
    stream: src === 'out' || src === 'err' ? src : null,
    pid: typeof pid === 'number' ? pid : null,
    line: msg,
  };
  if (typeof lvl === 'string') decoded.lvl = lvl;
  if (typeof fields === 'object' && fields !== null && !Array.isArray(fields))
    decoded.fields = fields as Record<string, unknown>;
  return decoded;
}
