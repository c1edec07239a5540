import type { LogLine } from '@velos/core';
import { escapeControlChars } from '../output/log-line.js';

/**
 * A log line in PM2's `pm2 logs --format` form: `timestamp=… app=… id=… type=out|err message=…`; the
 * time is `--timestamp`'s format when given, else ISO 8601.
 */
export function formatKeyValueLine(
  line: LogLine,
  stamp: { format(ts: number): string } | null,
  isEscaped: boolean,
): string {
  const time = stamp ? stamp.format(line.ts) : new Date(line.ts).toISOString();
  const message = isEscaped ? escapeControlChars(line.line) : line.line;
  return `timestamp=${time} app=${line.name} id=${line.id} type=${line.stream} message=${message}`;
}
