import { httpStatusLevel } from './http-status.js';
import { type Level, parseLevel } from './levels.js';
import { parseTimestamp } from './timestamp.js';

/** A JSON log line taken apart: its time, level and message fields, and every other field. */
export interface StructuredLine {
  ts: number | undefined;
  level: Level | undefined;
  message: string;
  fields: Record<string, unknown>;
}

/**
 * The fields of a JSON line's time, level and message, the first present one counting. Besides the usual
 * ones: python-json-logger's `asctime`, Serilog's compact JSON (CLEF: `@t`, `@l`, the rendered `@m` or the
 * template `@mt`) and its `JsonFormatter` (`Timestamp`, `Level`, `RenderedMessage`, `MessageTemplate`),
 * HashiCorp's hclog (`@timestamp`, `@level`, `@message`), .NET's JSON console (`LogLevel`, `Message`),
 * MongoDB's (`t.$date`, `s` a letter: `F`, `E`, `W`, `I`, `D1`…`D5`) and Rust tracing's (`fields.message`).
 */
export const TIME_KEYS: readonly string[] = [
  'ts',
  'timestamp',
  'time',
  '@timestamp',
  'date',
  't',
  'asctime',
  '@t',
  'Timestamp',
];
/** The fields that hold a JSON line's level, the first one with a level value counting. */
export const LEVEL_KEYS: readonly string[] = [
  'level',
  'lvl',
  'severity',
  'loglevel',
  'levelname',
  'log.level',
  'status',
  '@l',
  'Level',
  '@level',
  'LogLevel',
  's',
];
/** The fields that hold a JSON line's message, the first present one counting. */
export const MESSAGE_KEYS: readonly string[] = [
  'msg',
  'message',
  'log',
  'text',
  'event',
  '@m',
  '@mt',
  'RenderedMessage',
  'MessageTemplate',
  '@message',
  'Message',
];

/**
 * Parses a JSON-object line (`{"ts","level","msg",…}` as written by pino, bunyan, winston, zap, Python's
 * json logger, Docker); undefined when the line is not a JSON object.
 */
export function parseStructuredLine(line: string): StructuredLine | undefined {
  let p = 0;
  while (p < line.length && line.charCodeAt(p) <= 32) p++;
  if (line.charCodeAt(p) !== 123) return undefined;
  let end = line.length - 1;
  while (end > p && line.charCodeAt(end) <= 32) end--;
  if (line.charCodeAt(end) !== 125) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  const timeKey = firstKey(object, TIME_KEYS);
  const levelKey = LEVEL_KEYS.find((key) => fieldLevel(key, object[key]) !== undefined);
  const messageKey = firstKey(object, MESSAGE_KEYS) ?? nestedMessageKey(object);
  // the other fields, in the line's order: a new object, not a copy with keys deleted (a slow dictionary)
  const fields: Record<string, unknown> = {};
  for (const key in object) {
    if (key === timeKey || key === levelKey || key === messageKey) continue;
    if (key === '__proto__')
      Object.defineProperty(fields, key, {
        value: object[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else fields[key] = object[key];
  }
  const ts = timeKey === undefined ? undefined : readTime(object[timeKey]);
  const level =
    levelKey !== undefined
      ? fieldLevel(levelKey, object[levelKey])
      : // Serilog leaves `@l` out of an Information event
        timeKey === '@t' && (messageKey === '@m' || messageKey === '@mt')
        ? 'info'
        : nestedLevel(object.log);
  const rawMessage =
    messageKey === undefined
      ? undefined
      : messageKey === 'fields'
        ? (object.fields as Record<string, unknown>).message
        : object[messageKey];
  const message =
    typeof rawMessage === 'string'
      ? rawMessage
      : rawMessage === undefined
        ? line.trim()
        : JSON.stringify(rawMessage);
  return { ts, level, message: message.replace(/\s+$/, ''), fields };
}

/**
 * The level a field names. `status` is a level name (`"error"`, Datadog's) or an HTTP status (`500` an
 * error, `404` a warning, `200` info): never a pino number, which would make every `200` fatal.
 */
function fieldLevel(key: string, value: unknown): Level | undefined {
  // MongoDB's severity: one upper-case letter, debug with its verbosity (`D2`); any other `s` is no level
  if (key === 's')
    return typeof value === 'string' && MONGO_SEVERITY.test(value) ? parseLevel(value[0]) : undefined;
  if (key !== 'status' || typeof value !== 'number') return parseLevel(value);
  return Number.isInteger(value) && value >= 100 && value <= 599 ? httpStatusLevel(value) : undefined;
}

const MONGO_SEVERITY = /^(?:[FEWI]|D[1-5]?)$/;

/** `fields` when it holds the message, as Rust's tracing writes it (`"fields": {"message": "…"}`). */
function nestedMessageKey(object: Record<string, unknown>): string | undefined {
  const fields = object.fields;
  return typeof fields === 'object' &&
    fields !== null &&
    typeof (fields as Record<string, unknown>).message === 'string'
    ? 'fields'
    : undefined;
}

/** ECS's nested form, `"log": {"level": "error"}` (the dotted `"log.level"` is a level key). */
function nestedLevel(log: unknown): Level | undefined {
  return typeof log === 'object' && log !== null
    ? parseLevel((log as Record<string, unknown>).level)
    : undefined;
}

/** The first of `keys` whose value is neither undefined nor null. */
function firstKey(object: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    if (object[key] !== undefined && object[key] !== null) return key;
  }
  return undefined;
}

/** Epoch ms from a number (ms, or seconds when below 1e11) or a date string. */
function readTime(value: unknown): number | undefined {
  // MongoDB's extended JSON: `"t": {"$date": "2024-12-04T10:00:00.000+00:00"}`
  if (typeof value === 'object' && value !== null && '$date' in value)
    return readTime((value as { $date: unknown }).$date);
  if (typeof value === 'number' && Number.isFinite(value))
    return value < 1e11 ? Math.round(value * 1000) : value;
  if (typeof value !== 'string') return undefined;
  const parsed = parseTimestamp(value);
  if (!Number.isNaN(parsed)) return parsed;
  const fallback = Date.parse(value);
  return Number.isNaN(fallback) ? undefined : fallback;
}
