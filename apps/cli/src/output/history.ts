import { formatBytes, formatDuration, formatSpanMs, type MetricsHistory } from '@velos/core';
import type { Colors } from './colors.js';
import { NO_PROCESSES } from './process-list.js';

/** Characters of a sparkline, lowest to highest. */
const SPARK_LEVELS = '▁▂▃▄▅▆▇█';
/** Points of a sparkline (and of the history the CLI asks for); `--ai` asks for fewer, as MCP's `metrics_history`. */
export const SPARK_POINTS = 60;

/** Min, max and last value of a column (gaps left out); null when it has no value. */
export interface ColumnStats {
  min: number;
  max: number;
  last: number;
}

/** One sparkline of `values` scaled between their min and max; a gap is a space. */
export function sparkline(values: readonly (number | null)[]): string {
  const stats = statsOf(values);
  if (!stats) return ' '.repeat(values.length);
  const range = stats.max - stats.min;
  // a flat line (within 2 %) stays flat instead of blowing noise up to the full height
  const isFlat = range <= Math.abs(stats.max) * 0.02;
  const flat = stats.max === 0 ? SPARK_LEVELS[0] : SPARK_LEVELS[3];
  return values
    .map((value) => {
      if (value === null) return ' ';
      if (isFlat) return flat;
      const level = Math.round(((value - stats.min) / range) * (SPARK_LEVELS.length - 1));
      return SPARK_LEVELS[level];
    })
    .join('');
}

/** Min, max and last non-gap value of a column. */
export function statsOf(values: readonly (number | null)[]): ColumnStats | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let last: number | null = null;
  for (const value of values) {
    if (value === null) continue;
    min = Math.min(min, value);
    max = Math.max(max, value);
    last = value;
  }
  return last === null ? null : { min, max, last };
}

/**
 * Restarts within the window: the daemon's count from the window's start (a daemon from before it: the
 * last count less the first); null when unknown.
 */
export function restartsIn(history: MetricsHistory): number | null {
  if (history.restartsInWindow !== undefined) return history.restartsInWindow;
  const counts = history.restarts.filter((count): count is number => count !== null);
  return counts.length === 0 ? null : counts.at(-1)! - counts[0]!;
}

/** `velos describe <app> --history`: per process a sparkline of CPU, memory and log rate, and restarts. */
export function renderHistory(histories: MetricsHistory[], windowMs: number, colors: Colors): string {
  if (histories.length === 0) return NO_PROCESSES;
  // the window as asked (`--since 90m`), exactly: formatDuration's one unit made 1.5h "1h"
  const window = formatSpanMs(windowMs);
  return histories
    .map((history) => {
      const title = `${colors.bold(history.name)} ${colors.dim(`(id ${history.id}, ${history.namespace})`)}`;
      // a process started a moment ago has no sample yet: "not running" would be wrong for it
      if (history.t.length === 0) {
        const none = `${title}\n  no samples in the last ${window} (a running process is sampled every 2 s)`;
        // a crash loop over before its first sample still restarted
        const restarts = restartsIn(history);
        return restarts ? `${none}\n  restarts  ${restarts} in the window` : none;
      }
      const since = formatDuration(Date.now() - history.t[0]!);
      const rows = [
        row('cpu', history.cpu, (value) => `${value.toFixed(1)}%`, colors),
        row('memory', history.memory, (value) => formatBytes(Math.round(value)), colors),
        row('logs/s', history.logRate, (value) => formatRate(value), colors),
      ];
      const restarts = restartsIn(history);
      const total = statsOf(history.restarts)?.last;
      const restartLine =
        restarts === null ? '  restarts  -' : `  restarts  ${restarts} in the window (${total} since added)`;
      return [`${title} ${colors.dim(`last ${since} of ${window}`)}`, ...rows, restartLine].join('\n');
    })
    .join('\n\n');
}

function row(
  label: string,
  values: (number | null)[],
  format: (value: number) => string,
  colors: Colors,
): string {
  const stats = statsOf(values);
  const figures = stats
    ? `min ${format(stats.min)}  max ${format(stats.max)}  last ${format(stats.last)}`
    : 'no value';
  return `  ${label.padEnd(8)}  ${colors.cyan(sparkline(values))}  ${colors.dim(figures)}`;
}

function formatRate(value: number): string {
  return value >= 10 ? String(Math.round(value)) : value.toFixed(1);
}
