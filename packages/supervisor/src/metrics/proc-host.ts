import type { HostMetrics } from '@velos/core';

/** CPU time of the whole machine: busy and total ticks since boot. */
export interface CpuTicks {
  busy: number;
  total: number;
}

/** The machine's CPU ticks from the `cpu` line of /proc/stat (idle and iowait are not busy; guest is in user already). */
export function parseProcStat(text: string): CpuTicks | null {
  const line = text.slice(0, text.indexOf('\n'));
  if (!line.startsWith('cpu ')) return null;
  const fields = line.slice(4).trim().split(/\s+/).slice(0, 8).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) return null;
  const total = fields.reduce((sum, n) => sum + n, 0);
  const idle = fields[3]! + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Busy percent of all cores between two samples (100 = every core busy); 0 when no tick passed. */
export function cpuPercentBetween(previous: CpuTicks, current: CpuTicks): number {
  const total = current.total - previous.total;
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, ((current.busy - previous.busy) / total) * 100));
}

/** MemTotal and MemAvailable of /proc/meminfo in bytes; `availableBytes` null on kernels without it. */
export function parseMemInfo(text: string): { totalBytes: number; availableBytes: number | null } | null {
  const total = /^MemTotal:\s+(\d+) kB/m.exec(text);
  if (!total) return null;
  const available = /^MemAvailable:\s+(\d+) kB/m.exec(text);
  return {
    totalBytes: Number(total[1]) * 1024,
    availableBytes: available ? Number(available[1]) * 1024 : null,
  };
}

/** Bytes received and sent per interface from /proc/net/dev, loopback left out. */
export function parseNetDev(text: string): HostMetrics['network'] {
  const rows: HostMetrics['network'] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo' || name === '' || name.includes('|')) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const rxBytes = Number(fields[0]);
    const txBytes = Number(fields[8]);
    if (!Number.isFinite(rxBytes) || !Number.isFinite(txBytes)) continue;
    rows.push({ interface: name, rxBytes, txBytes });
  }
  return rows;
}
