import { type LeadingTimestamp, parseLeadingTimestamp } from './timestamp.js';

/**
 * The header of Ruby's `Logger` (Rails production logs, Sidekiq, any Ruby program):
 * `I, [2026-03-14T09:00:00.123456 #4242]  INFO -- progname: ` — a severity letter, the time and process id
 * in brackets, the severity padded to five characters, then `-- `, the program name (often empty) and `: `.
 * What follows the time: sticky, tried where the time ends.
 */
const AFTER_TIME = / ?#\d+\] +(?:DEBUG|INFO|WARN|ERROR|FATAL|ANY|UNKNOWN) -- [^:]*: ?/y;

/**
 * Reads the Ruby `Logger` header that starts `line`, like a leading timestamp: its time (local when it names
 * no zone, as Ruby writes it) and where the message starts. The severity stays in the line for the
 * classifier (`labelOf` reads `INFO`, `FATAL`); the header leaves the mined message, so one message from
 * two processes is one template. Undefined when the line does not start with one.
 *
 * @example
 * parseRubyLoggerHeader('I, [2026-03-14T09:00:00.123456 #42]  INFO -- : Started GET "/"')?.end; // 47
 */
export function parseRubyLoggerHeader(line: string): LeadingTimestamp | undefined {
  // cheap first: a severity letter, a comma, a space and a bracket
  if (line.charCodeAt(1) !== 44 || line.charCodeAt(2) !== 32 || line.charCodeAt(3) !== 91) return undefined;
  if (!SEVERITY_LETTERS.includes(line.charAt(0))) return undefined;
  const time = parseLeadingTimestamp(line.slice(3));
  if (time === undefined) return undefined;
  AFTER_TIME.lastIndex = 3 + time.end;
  const match = AFTER_TIME.exec(line);
  if (match === null) return undefined;
  return { ts: time.ts, end: AFTER_TIME.lastIndex };
}

/** The first letters of Ruby's severities: DEBUG, INFO, WARN, ERROR, FATAL, ANY (`A`, or `U` for UNKNOWN). */
const SEVERITY_LETTERS = 'DIWEFAU';
