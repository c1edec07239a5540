import { hasRunningProcess, roundCpu, shortStatus } from './ai-output.js';
import type { MetricsSnapshot, ProcessMetrics } from './metrics.js';
import { formatBytes, formatDuration } from './units.js';

/** One process's figures the `--ai` way (`velos metrics --ai`, the MCP tool `metrics_snapshot`). */
export interface AiProcessMetrics {
  i: number;
  n: string;
  /** Namespace, when not `default` (as `list` gives it). */
  ns?: string;
  s: string;
  /** CPU percent, only while the process runs. */
  c?: number;
  /** Memory, only while the process runs. */
  m?: string;
  /** Memory peak, when above the current memory. */
  mpk?: string;
  u?: string;
  r: number;
  /** Log lines at level error or fatal, when any. */
  le?: number;
  /** Log lines captured, when any. */
  ll?: number;
  h?: string;
}

/** A snapshot the `--ai` way: the daemon, the host and the processes in short keys and short values. */
export interface AiMetrics {
  d: { m: string; u: string; ps: MetricsSnapshot['daemon']['processes'] };
  host: { c: number; mem: string; load: number[]; disk?: string };
  ps: AiProcessMetrics[];
}

/** CLI-3: the compact form of a metrics snapshot, for `processes` (all of the snapshot's by default). */
export function toAiMetrics(
  snapshot: MetricsSnapshot,
  processes: ProcessMetrics[] = snapshot.processes,
): AiMetrics {
  const { daemon, host } = snapshot;
  return {
    d: {
      m: formatBytes(daemon.memoryBytes),
      u: formatDuration(daemon.uptimeSeconds * 1000),
      ps: daemon.processes,
    },
    host: {
      c: roundCpu(host.cpuPercent),
      mem: `${formatBytes(host.memoryAvailableBytes)}/${formatBytes(host.memoryTotalBytes)}`,
      load: host.load.map((n) => Math.round(n * 100) / 100),
      ...(host.disk.totalBytes > 0 ? { disk: `${formatBytes(host.disk.availableBytes)} free` } : {}),
    },
    ps: processes.map((p) => ({
      i: p.id,
      n: p.name,
      ...(p.namespace === 'default' ? {} : { ns: p.namespace }),
      s: shortStatus(p.status),
      ...(hasRunningProcess(p) && p.memoryBytes > 0
        ? { c: roundCpu(p.cpuPercent), m: formatBytes(p.memoryBytes) }
        : {}),
      ...(p.memoryPeakBytes > p.memoryBytes ? { mpk: formatBytes(p.memoryPeakBytes) } : {}),
      ...(p.uptimeSeconds > 0 ? { u: formatDuration(p.uptimeSeconds * 1000) } : {}),
      r: p.restarts,
      ...(p.logErrors > 0 ? { le: p.logErrors } : {}),
      ...(p.logLines.out + p.logLines.err > 0 ? { ll: p.logLines.out + p.logLines.err } : {}),
      ...(p.health ? { h: p.health } : {}),
    })),
  };
}
