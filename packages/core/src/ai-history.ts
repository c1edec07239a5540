import { roundCpu } from './ai-output.js';
import type { MetricsHistory } from './metrics.js';
import { formatBytes, formatDuration } from './units.js';

const MB = 1024 * 1024;

/** Points of a series in the `--ai` history, unless asked otherwise (the MCP tool's `points` default). */
export const AI_HISTORY_POINTS = 12;

/** One process's metrics history the `--ai` way (`velos describe --history --ai`, the MCP tool `metrics_history`). */
export interface AiHistory {
  i: number;
  n: string;
  /** Namespace, when not `default`. */
  ns?: string;
  /** ISO time (to the second) of the first point, when there is one. */
  from?: string;
  /** The time between points, when there are two or more. */
  step?: string;
  /** Memory: min, max and last, and the series in MB (null where the process did not run). */
  mem?: { min: string; max: string; last: string; mb: (number | null)[] };
  /** CPU percent: min, max and last, and the series (null where the process did not run). */
  cpu?: { min: number; max: number; last: number; s: (number | null)[] };
  /** Restarts within the window, when a point had the process running. */
  r?: number;
}

/** A process's history in short keys: min, max and last and the series (oldest first) of memory and CPU, restarts in the window. */
export function toAiHistory(history: MetricsHistory): AiHistory {
  const t = history.t;
  const mem = statsOf(history.memory);
  const cpu = statsOf(history.cpu);
  const first = history.restarts.find((count): count is number => count !== null);
  const last = history.restarts.findLast((count): count is number => count !== null);
  return {
    i: history.id,
    n: history.name,
    ...(history.namespace === 'default' ? {} : { ns: history.namespace }),
    ...(t.length > 0 ? { from: isoSeconds(t[0]!) } : {}),
    ...(t.length > 1 ? { step: formatDuration((t.at(-1)! - t[0]!) / (t.length - 1)) } : {}),
    ...(mem
      ? {
          mem: {
            min: formatBytes(mem.min),
            max: formatBytes(mem.max),
            last: formatBytes(mem.last),
            mb: history.memory.map((v) => (v === null ? null : Math.round(v / MB))),
          },
        }
      : {}),
    ...(cpu
      ? {
          cpu: {
            min: roundCpu(cpu.min),
            max: roundCpu(cpu.max),
            last: roundCpu(cpu.last),
            s: history.cpu.map((v) => (v === null ? null : roundCpu(v))),
          },
        }
      : {}),
    // the daemon's count from the window's start: the points alone miss restarts before the first one
    ...(history.restartsInWindow !== undefined
      ? { r: history.restartsInWindow }
      : first === undefined || last === undefined
        ? {}
        : { r: last - first }),
  };
}

function isoSeconds(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Min, max and last value of a series, gaps left out; null when it has none. */
function statsOf(values: readonly (number | null)[]): { min: number; max: number; last: number } | null {
  const kept = values.filter((value): value is number => value !== null);
  if (kept.length === 0) return null;
  return { min: Math.min(...kept), max: Math.max(...kept), last: kept.at(-1)! };
}
