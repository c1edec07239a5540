import type { LogLine } from '@velos/core';
import type { Colors } from './colors.js';

/** How `velos logs` prints lines: `<name> | line`, the bare line, or one JSON object per line. */
export type LogLineFormat = 'prefixed' | 'raw' | 'json';

/** Formats one captured line; on a colour terminal stderr lines get a red prefix. */
export function formatLogLine(line: LogLine, format: LogLineFormat, colors: Colors): string {
  if (format === 'json') return JSON.stringify(line);
  if (format === 'raw') return line.line;
  const prefix = `${line.name} |`;
  return `${line.stream === 'err' ? colors.red(prefix) : colors.dim(prefix)} ${line.line}`;
}
