import type { LogLine } from '@velos/core';
import { type AiLogLine, cutAiMessage, toAiLogLine } from '@velos/core/ai';

/** Takes terminal escape sequences out of a line's text (the log engine's `stripAnsi`). */
export type AnsiStripper = (text: string) => string;

/** Whether a line of `lines` holds ESC or CSI (U+009B): only then is a stripper worth loading. */
export function hasEscapes(lines: readonly LogLine[]): boolean {
  return lines.some((line) => line.line.includes('\x1b') || line.line.includes('\x9b'));
}

/** The log engine's `stripAnsi`, loaded on first use (never at CLI start). */
export async function loadAnsiStripper(): Promise<AnsiStripper> {
  return (await import('@velos/log-engine')).stripAnsi;
}

/**
 * A line's `--ai` form with its text as an agent should read it: without the colours a logger wrote
 * to the pipe (as MCP's log answers), when `strip` is given, and cut past `AI_MESSAGE_CHARS_MAX`
 * characters as MCP cuts it, saying how many were left out (`--json` gives the whole line).
 */
export function toPlainAiLogLine(
  line: LogLine,
  withApp: boolean,
  strip: AnsiStripper | undefined,
): AiLogLine {
  const ai = toAiLogLine(strip === undefined ? line : { ...line, line: strip(line.line) }, withApp);
  return { ...ai, m: cutAiMessage(ai.m) };
}
