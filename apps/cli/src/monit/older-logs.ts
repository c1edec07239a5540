import type { LogLine } from '@velos/core';

/** Held lines compared to find where they start in a longer answer of `logs`. */
const MATCH_LINES = 20;

/**
 * The lines of `answer` (the newest N lines of the process, oldest first) older than the first of
 * `held` (the lines monit holds, oldest first), or null when `held` cannot be found in it. The held
 * lines are found by their first lines (markers of skipped lines aside, which no answer has); of
 * several places they match, the one nearest to where they should be (as many lines from the end of
 * the answer as are held) is taken, so a block repeated in the log is not taken for them.
 */
export function linesBefore(held: readonly LogLine[], answer: readonly LogLine[]): LogLine[] | null {
  const firstMarker = held.findIndex((line) => line.skipped !== undefined);
  const anchor = held.slice(0, Math.min(MATCH_LINES, firstMarker < 0 ? held.length : firstMarker));
  if (anchor.length === 0) return null;
  const expected = answer.length - held.length;
  let best = -1;
  for (let start = answer.length - anchor.length; start >= 0; start -= 1) {
    if (!anchor.every((line, n) => isSameLine(line, answer[start + n]))) continue;
    if (best < 0 || Math.abs(start - expected) < Math.abs(best - expected)) best = start;
  }
  return best < 0 ? null : answer.slice(0, best);
}

/** The same line of the same process, whatever time each source gave it. */
function isSameLine(a: LogLine, b: LogLine | undefined): boolean {
  return b !== undefined && a.id === b.id && a.stream === b.stream && a.line === b.line;
}
