import {
  eventMessageOf,
  type Level,
  type ParsedRecord,
  parseStructuredLine,
  stripAnsi,
} from '@velos/log-engine';

/**
 * The text whose place in an event is judged and its message behind a leading time or header, as the
 * log engine's record parser judges them (the live error counts agree): a JSON line's message, else
 * the line without colours and what `eventMessageOf` takes off.
 */
export function eventTextOf(raw: string): [text: string, message: string] {
  const line = stripAnsi(raw);
  if (line.charCodeAt(0) === 123) {
    const message = parseStructuredLine(line)?.message;
    if (message !== undefined) return [message, message];
  }
  return [line, eventMessageOf(line)];
}

/** What the exit context judges of a line: its time, stream, level and place in its event. */
export function recordOf(
  ts: number | undefined,
  stream: 'out' | 'err' | undefined,
  line: string,
  level: Level,
  isContinuation: boolean,
): ParsedRecord {
  return { ts, stream, line, message: '', level, fields: undefined, isContinuation, frame: undefined };
}
