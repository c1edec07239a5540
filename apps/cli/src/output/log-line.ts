import type { LogLine } from '@velos/core';
import type { Colors } from './colors.js';

/** How `velos logs` prints lines: `<name> | line`, the bare line, or one JSON object per line. */
export type LogLineFormat = 'prefixed' | 'raw' | 'json';

/** Formats one captured line; on a colour terminal stderr lines get a red prefix. */
export function formatLogLine(line: LogLine, format: LogLineFormat, colors: Colors): string {
  if (format === 'json') return JSON.stringify(line);
  const text = line.fields ? `${line.line}${formatFields(line.fields)}` : line.line;
  if (format === 'raw') return text;
  const prefix = `${line.name} |`;
  return `${line.stream === 'err' ? colors.red(prefix) : colors.dim(prefix)} ${text}`;
}

/** The fields of a parsed JSON line (LOG-5) as ` key=value` pairs; strings bare unless they hold spaces. */
function formatFields(fields: Record<string, unknown>): string {
  let text = '';
  for (const [key, value] of Object.entries(fields)) {
    const shown = typeof value === 'string' && /^[^\s"=]*$/.test(value) ? value : JSON.stringify(value);
    text += ` ${key}=${shown}`;
  }
  return text;
}
