import type { ProcessStatus } from '@velos/core';

const SHORT_STATUS: Record<ProcessStatus, string> = {
  online: 'on',
  stopped: 'stopped',
  errored: 'err',
  starting: 'start',
  stopping: 'stopping',
  'waiting-restart': 'wait',
  scheduled: 'sched',
};

/** The `--ai` status word: on, stopped, err, start, stopping, wait, sched. */
export function shortStatus(status: ProcessStatus): string {
  return SHORT_STATUS[status] ?? status;
}

/** CPU percent rounded to one decimal, as a number (for `--ai`). */
export function roundCpu(cpu: number): number {
  return Math.round(cpu * 10) / 10;
}

/** CPU percent for a table: `2.1%`. */
export function formatCpu(cpu: number): string {
  return `${roundCpu(cpu).toFixed(1)}%`;
}

/** A configured duration the exact way: `0ms`, `250ms`, `5s`, `1.5s`, `2m`, `3h`, `30d`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}
