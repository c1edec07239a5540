import type { LogLine } from '@velos/core';

/** Levels from most to least severe, as the filter offers them. */
export const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug'] as const;
export type Level = (typeof LEVELS)[number];

const PATTERNS: [Level, RegExp][] = [
  ['fatal', /\b(fatal|panic|critical)\b/i],
  ['error', /\b(error|err|exception|uncaught|failed|failure)\b|^\s+at\s/i],
  ['warn', /\b(warn|warning|deprecated)\b/i],
  ['debug', /\b(debug|trace)\b/i],
];

/** The level of a line: its JSON level when it had one, else a guess from its words. */
export function lineLevel(line: LogLine): Level {
  const own = line.lvl?.toLowerCase();
  if (own === 'trace') return 'debug';
  if (own && (LEVELS as readonly string[]).includes(own)) return own as Level;
  for (const [level, pattern] of PATTERNS) if (pattern.test(line.line)) return level;
  return 'info';
}

/** True when `level` is at least as severe as `floor` (`error` lets `fatal` through). */
export function isAtLeast(level: Level, floor: Level | null): boolean {
  return !floor || LEVELS.indexOf(level) <= LEVELS.indexOf(floor);
}

/** A matcher for the text box: a regular expression when it parses, else plain text; both ignore case. */
export function textMatcher(text: string): (line: string) => boolean {
  if (!text) return () => true;
  try {
    const pattern = new RegExp(/^\/(.+)\/$/.exec(text)?.[1] ?? text, 'i');
    return (line) => pattern.test(line);
  } catch {
    const lower = text.toLowerCase();
    return (line) => line.toLowerCase().includes(lower);
  }
}
