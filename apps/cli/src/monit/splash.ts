import type { ProcessInfo } from '@velos/core';
import { createColors } from '../output/colors.js';
import { renderProcessTable } from '../output/process-list.js';

/** Switches to the terminal's alternate screen (the shell's screen comes back on leave). */
export const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
/** Leaves the alternate screen and shows the cursor ink hid. */
export const LEAVE_ALT_SCREEN = '\u001b[?25h\u001b[?1049l';
/** Moves to the top left and clears the screen, before ink's first frame replaces the splash. */
export const CLEAR_SCREEN = '\u001b[H\u001b[J';

/**
 * The frame shown while ink loads (~0.1 s): the process table as `velos list` prints it, cut to the
 * terminal, so the first answer is on screen as soon as the daemon gives it.
 */
export function renderSplash(processes: ProcessInfo[], columns: number, rows: number): string {
  const table = processes.length === 0 ? 'no processes' : renderProcessTable(processes, createColors(false));
  const count = `${processes.length} ${processes.length === 1 ? 'process' : 'processes'}`;
  const lines = [`velos monit · ${count} · loading…`, ...table.split('\n')];
  return lines
    .slice(0, Math.max(1, rows - 1))
    .map((line) => line.slice(0, columns))
    .join('\r\n');
}
