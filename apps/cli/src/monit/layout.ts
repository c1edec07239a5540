/** How many lines each part of monit's main screen gets. */
export interface MonitLayout {
  /** Rows of the process table (its header line not counted). */
  tableRows: number;
  /** Log lines of the selected process (the title line not counted). */
  logLines: number;
  /** Recent events shown (the title line not counted). */
  eventLines: number;
}

/** Lines of the main screen that are not table rows, log lines or events: header, host, titles, footer. */
const FIXED_LINES = 7;

/** The first table row a window of `visible` rows shows so that `selected` stays on screen, `offset` moving as little as it can. */
export function scrollOffset(selected: number, visible: number, count: number, offset: number): number {
  if (visible <= 0 || count <= visible) return 0;
  let next = Math.min(offset, count - visible);
  if (selected < next) next = selected;
  if (selected >= next + visible) next = selected - visible + 1;
  return Math.max(0, next);
}

/**
 * Splits a screen of `height` lines (one less than the terminal's, so ink never has to clear the whole
 * screen) between the table (`count` processes), the log pane and the events.
 */
export function computeLayout(height: number, count: number): MonitLayout {
  const free = Math.max(3, height - FIXED_LINES);
  const eventLines = free >= 14 ? 3 : free >= 8 ? 1 : 0;
  const rest = free - eventLines;
  const tableRows = Math.max(1, Math.min(Math.max(count, 1), Math.max(3, Math.floor(rest / 2))));
  return { tableRows, logLines: Math.max(1, rest - tableRows), eventLines };
}
