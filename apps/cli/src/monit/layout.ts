/** How many lines each part of monit's main screen gets. */
export interface MonitLayout {
  /** Rows of the process table (its header line not counted). */
  tableRows: number;
  /** Log lines of the selected process (the title line not counted). */
  logLines: number;
  /** Recent events shown (the title line not counted; 0: no events pane). */
  eventLines: number;
  /** Whether the host line (CPU and RAM bars) is shown. */
  hasHostBars: boolean;
  /** Whether the selection's line (sparklines) under the table is shown. */
  hasPanel: boolean;
  /** Whether the table's header line is shown (left out below 4 lines). */
  hasTableHeader: boolean;
}

/** Lines of the main screen that are always there: header, table header, log title, footer. */
const BASE_LINES = 4;
/** The fewest table rows and log lines a screen shows. */
const MIN_BODY_LINES = 2;

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
 * screen) between the table (`count` processes), the log pane and the events; the lines given out
 * never add up to more than `height` (from 3 up). A short screen (under 8 lines) leaves out the
 * selection's sparklines, then the host bars; the events pane needs 9 free lines (3 events from 15).
 * Under 6 lines only the header, the table and the footer are left (under 4, the table's header goes too).
 */
export function computeLayout(height: number, count: number): MonitLayout {
  if (height < BASE_LINES + MIN_BODY_LINES) {
    const hasTableHeader = height >= 4;
    const tableRows = Math.max(1, Math.min(Math.max(count, 1), height - 2 - Number(hasTableHeader)));
    return { tableRows, logLines: 0, eventLines: 0, hasHostBars: false, hasPanel: false, hasTableHeader };
  }
  const spare = height - BASE_LINES - MIN_BODY_LINES;
  const hasHostBars = spare >= 1;
  const hasPanel = spare >= 2;
  const free = Math.max(MIN_BODY_LINES, height - BASE_LINES - Number(hasHostBars) - Number(hasPanel));
  const eventLines = free >= 15 ? 3 : free >= 9 ? 1 : 0;
  // the events' title line counts too
  const rest = free - (eventLines > 0 ? eventLines + 1 : 0);
  const wanted = Math.max(Math.min(3, rest - 1), Math.floor(rest / 2));
  const tableRows = Math.max(1, Math.min(Math.max(count, 1), wanted));
  const logLines = Math.max(1, rest - tableRows);
  return { tableRows, logLines, eventLines, hasHostBars, hasPanel, hasTableHeader: true };
}
