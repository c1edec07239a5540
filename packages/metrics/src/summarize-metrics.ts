import type { MetricsSnapshot } from '@velos/core';

/** A compact view of a snapshot for AI agents (`velos metrics --ai`): short keys, rounded figures. */
export interface MetricsSummary {
  at: string;
  daemon: { up_s: number; mem_mb: number; procs: Record<string, number>; lag_ms: number };
  host: { cpu: number; mem_avail_pct: number; load: number[]; disk_avail_pct: number };
  /** One row per process: [name, id, status, cpu %, mem MB, restarts, log errors]. */
  procs: [string, number, string, number, number, number, number][];
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;
const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/** Summarises a snapshot in a few hundred bytes per dozen processes. */
export function summarizeMetrics(snapshot: MetricsSnapshot): MetricsSummary {
  const { daemon, host } = snapshot;
  return {
    at: new Date(snapshot.at).toISOString(),
    daemon: {
      up_s: Math.round(daemon.uptimeSeconds),
      mem_mb: mb(daemon.memoryBytes),
      procs: Object.fromEntries(Object.entries(daemon.processes).filter(([, n]) => (n ?? 0) > 0)) as Record<
        string,
        number
      >,
      lag_ms: Math.round(daemon.eventLoopLagSeconds.max * 10_000) / 10,
    },
    host: {
      cpu: Math.round(host.cpuPercent * 10) / 10,
      mem_avail_pct: pct(host.memoryAvailableBytes, host.memoryTotalBytes),
      load: host.load.map((n) => Math.round(n * 100) / 100),
      disk_avail_pct: pct(host.disk.availableBytes, host.disk.totalBytes),
    },
    procs: snapshot.processes.map((p) => [
      p.name,
      p.id,
      p.status,
      Math.round(p.cpuPercent * 10) / 10,
      mb(p.memoryBytes),
      p.restarts,
      p.logErrors,
    ]),
  };
}
