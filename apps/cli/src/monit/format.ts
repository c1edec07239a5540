import { formatBytes, formatDuration, type MetricsSnapshot, type ProcessInfo } from '@velos/core';
import { isSampled } from '@velos/core/ai';
import { displayWidth, fitToWidth } from '../output/display-width.js';
import { escapeControlChars } from '../output/log-line.js';
import { formatCpu } from '../output/units.js';

const SPARK_CHARS = '▁▂▃▄▅▆▇█';

/**
 * The scale's least top for CPU sparklines, in percent of one core (as the table's CPU column): scaled
 * to its own peak alone, an idle process's 0.0–0.1 % drew full blocks like a busy one's. Below a tenth of
 * a core a process idles, and a fixed 0–100 % would flatten the shape of a working one's 2–8 % to `▁`.
 */
export const CPU_SPARKLINE_FLOOR_PERCENT = 10;

/**
 * The last `width` values as a sparkline (`▁▃▅█`), scaled from 0 (or the minimum) to the maximum, or
 * to `floor` when the maximum is below it.
 */
export function sparkline(values: readonly number[], width: number, floor = 0): string {
  const shown = values.slice(-Math.max(0, width));
  if (shown.length === 0) return '';
  const max = Math.max(floor, ...shown);
  const min = Math.min(0, ...shown);
  const span = max - min;
  return shown
    .map((value) => SPARK_CHARS[span <= 0 ? 0 : Math.round(((value - min) / span) * 7)] ?? '▁')
    .join('');
}

/** A CPU sparkline: scaled to its peak, or to a tenth of a core for a process that idles. */
export function cpuSparkline(values: readonly number[], width: number): string {
  return sparkline(values, width, CPU_SPARKLINE_FLOOR_PERCENT);
}

/** Widths of the selected process's sparklines: they grow with the screen between these. */
export const SPARKLINE_WIDTHS = { min: 6, max: 30 } as const;

/**
 * What monit shows of a process's history, as one string: the sparklines at every width the panel
 * may give them (equal strings draw the same panel whatever the screen's width).
 */
export function historySignature(history: {
  target: string;
  cpu: readonly number[];
  memory: readonly number[];
  error: string | null;
}): string {
  const lines = [history.target, history.error ?? '', String(history.cpu.length)];
  for (let width = SPARKLINE_WIDTHS.min; width <= SPARKLINE_WIDTHS.max; width += 1) {
    lines.push(cpuSparkline(history.cpu, width), sparkline(history.memory, width));
  }
  return lines.join('\n');
}

/** A bar of `width` cells filled to `ratio` (0…1): `█████░░░░░`. */
export function bar(ratio: number, width: number): string {
  const clamped = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
  const filled = Math.round(clamped * width);
  return `${'█'.repeat(filled)}${'░'.repeat(Math.max(0, width - filled))}`;
}

/** `text` cut to `width` columns (an ellipsis marks the cut) and padded on the right or left (fitToWidth). */
export const fit = fitToWidth;

/**
 * One line of text cut to `width` columns (`…` marks the cut), measured as the terminal draws it: ink's
 * own cut let a wide character (CJK) end a column past the edge, and the line wrapped. It reads the
 * text only as far as it can show (ink measured all of a 300 KB line at each frame).
 */
export function fitLine(text: string, width: number): string {
  if (width <= 0) return '';
  // a column takes at least one UTF-16 unit (zero-width marks aside): a longer text is cut first
  const limit = width * 4 + 4;
  const line = text.length > limit ? `${wholeCodePoints(text.slice(0, limit))}…` : text;
  return displayWidth(line) <= width ? line : fitToWidth(line, width);
}

/**
 * One line cut from its start to `width` columns (`…` first marks the cut), keeping its end: what is
 * being typed stays in sight. Measured as `fitLine`, a wide character counting two columns.
 */
export function fitLineStart(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  const chars = Array.from(text);
  let kept = '';
  let used = 0;
  for (let at = chars.length - 1; at >= 0; at -= 1) {
    const char = chars[at] ?? '';
    const size = displayWidth(char);
    if (used + size > width - 1) break;
    kept = char + kept;
    used += size;
  }
  return `…${kept}`;
}

/** `text` without a lone high surrogate at its end (the half of a character a cut left). */
function wholeCodePoints(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}

/** One line of an app's text made safe for the screen: control characters shown as `\xHH`, tabs as spaces. */
export function screenSafe(text: string): string {
  return expandTabs(escapeControlChars(text));
}

/** Columns from one tab stop to the next, as terminals set them. */
const TAB_COLUMNS = 8;

/**
 * `text` with each tab written as the spaces to the next tab stop (counted from its start): ink counts
 * a tab as no column and the terminal moves up to 8, so a line with tabs (a Java or Go stack trace)
 * ran past the screen's edge, wrapped, and pushed the header off the screen.
 */
function expandTabs(text: string): string {
  if (!text.includes('\t')) return text;
  const [first = '', ...rest] = text.split('\t');
  let out = first;
  let column = displayWidth(first);
  for (const part of rest) {
    const spaces = TAB_COLUMNS - (column % TAB_COLUMNS);
    out += ' '.repeat(spaces) + part;
    column += spaces + displayWidth(part);
  }
  return out;
}

/**
 * Colour codes (SGR, `ESC [ 1;31 m` or `CSI 1;31 m` with U+009B): they only colour text, and monit colours
 * a line by its level.
 */
const SGR = /(?:\u001b\[|\u009b)[0-9;:]*m/g;

/**
 * An app's log line as monit shows it: without its colour codes (so `ESC[31merror` reads, and is
 * coloured, as `error`), its other control characters shown as `\xHH` and its tabs as spaces (screenSafe).
 */
export function logText(line: string): string {
  return screenSafe(line.includes('\u001b') || line.includes('\u009b') ? line.replace(SGR, '') : line);
}

/** The cells of one row of monit's process table, as text (colours are chosen by `status`/`health`). */
export interface RowCells {
  id: string;
  name: string;
  status: string;
  pid: string;
  cpu: string;
  memory: string;
  uptime: string;
  restarts: string;
  health: string;
}

/** The cells of a process: `name#instance` when the app has several instances. */
export function rowCells(p: ProcessInfo, hasInstances: boolean): RowCells {
  const isRunning = p.pid !== null;
  return {
    id: String(p.id),
    name: screenSafe(hasInstances ? `${p.name}#${p.instance}` : p.name),
    status: p.status === 'waiting-restart' ? 'waiting' : p.status,
    pid: p.pid === null ? '-' : String(p.pid),
    // `-` too until the monitor's first sample of the run, as the table of velos list
    cpu: isSampled(p) ? formatCpu(p.cpu) : '-',
    memory: isSampled(p) ? formatBytes(p.memory) : '-',
    uptime: isRunning && p.uptime > 0 ? formatDuration(p.uptime) : '-',
    restarts: String(p.restarts),
    health: p.health ? p.health.state : '-',
  };
}

/** The ink colour of a status word: green online, red errored, gray stopped or scheduled, yellow otherwise. */
export function statusColor(status: string): string {
  if (status === 'online') return 'green';
  if (status === 'errored') return 'red';
  if (status === 'stopped' || status === 'scheduled') return 'gray';
  return 'yellow';
}

/** The ink colour of a health word (a probe's or the daemon's). */
export function healthColor(health: string): string {
  if (health === 'healthy') return 'green';
  if (health === 'unhealthy') return 'red';
  if (health === 'degraded') return 'yellow';
  return 'gray';
}

/** The ink colour of a log line: its level when it has one, else guessed from its words; stderr is red-ish. */
export function logColor(level: string | undefined, text: string, stream: 'out' | 'err'): string | undefined {
  const lvl = level ?? guessLevel(text);
  if (lvl === 'fatal' || lvl === 'error') return 'red';
  if (lvl === 'warn') return 'yellow';
  if (lvl === 'debug' || lvl === 'trace') return 'gray';
  return stream === 'err' ? 'magenta' : undefined;
}

function guessLevel(text: string): string | undefined {
  if (/\b(fatal|error|err|exception|panic)\b/i.test(text)) return 'error';
  if (/\bwarn(ing)?\b/i.test(text)) return 'warn';
  if (/\bdebug\b/i.test(text)) return 'debug';
  return undefined;
}

/** What monit shows of a list, as one string: equal strings draw the same table (cells at display precision). */
export function processesSignature(processes: readonly ProcessInfo[]): string {
  return processes
    .map((p) => `${p.namespace}\t${Object.values(rowCells(p, true)).join('\t')}\t${p.health?.ready ?? ''}`)
    .join('\n');
}

/** What monit shows of a metrics snapshot (header and host bars), as one string. */
export function metricsSignature(m: MetricsSnapshot): string {
  const { daemon, host } = m;
  return [
    daemon.version,
    formatBytes(daemon.memoryBytes),
    formatDuration(daemon.uptimeSeconds * 1000),
    host.cpuPercent.toFixed(0),
    host.cpuCount,
    formatBytes(host.memoryTotalBytes - host.memoryAvailableBytes),
    formatBytes(host.memoryTotalBytes),
  ].join('\t');
}
