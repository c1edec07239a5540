import type { LogsSearchResult } from '@velos/core';
import { plural } from './format.js';

/**
 * The line under the log filters after a search of the engine: how many lines it read, and when the
 * answer holds only the newest `limit` matches (or fewer, cut by the answer's byte limit), that older
 * matches were left out and how many it counted — at least that many: a search stops reading older
 * files once they cannot hold newer matches.
 */
export function searchNote(answer: LogsSearchResult, limit: number): string {
  const scanned = answer.scanned?.lines;
  const partial = answer.scanned?.isPartial ? ' (the time budget stopped the scan early)' : '';
  const read = `Searched ${scanned === undefined ? '? lines' : plural(scanned, 'line')}${partial}.`;
  const omitted = answer.cut?.omittedLines ?? 0;
  const shown = answer.lines.length;
  if (omitted > 0) {
    return `${read} Showing the newest ${shown.toLocaleString()} of ${(shown + omitted).toLocaleString()} or more matches: refine the search or narrow the range to see older ones.`;
  }
  if (shown >= limit) {
    return `${read} Showing the newest ${limit.toLocaleString()} matches, the most one search returns: older ones may be left out, refine the search or narrow the range.`;
  }
  return read;
}
