import { formatBytes, formatDuration, type HostMetrics } from '@velos/core';
import { Text } from 'ink';
import { memo } from 'react';
import { bar, fitLine, healthColor, screenSafe } from './format.js';
import type { MonitData } from './monit-store.js';

/**
 * The first line: daemon version, pid, uptime, RSS, process count and self-health. A screen too narrow
 * for all of it leaves out the pid, then the RSS, then the uptime, so the health word always shows.
 */
export const Header = memo(function Header(props: {
  ping: MonitData['ping'];
  metrics: MonitData['metrics'];
  health: MonitData['health'];
  processes: MonitData['processes'];
  error: string | null;
  width: number;
}) {
  const { ping, metrics, health, processes, error, width } = props;
  const daemon = metrics?.daemon;
  const version = `velos ${daemon?.version ?? ping?.version ?? '…'}`;
  const uptimeMs = daemon ? daemon.uptimeSeconds * 1000 : ping?.uptimeMs;
  const online = processes?.filter((p) => p.status === 'online').length ?? 0;
  const count = ` · ${countOf(processes?.length ?? 0)} (${online} online) · health `;
  const status = error ? 'unreachable' : (health?.status ?? '…');
  // the parts that may go, the first to go first
  const optional = {
    pid: ping ? ` pid ${ping.pid}` : '',
    rss: daemon ? ` · rss ${formatBytes(daemon.memoryBytes)}` : '',
    uptime: uptimeMs !== undefined ? ` · up ${formatDuration(uptimeMs)}` : '',
  };
  let room = width - version.length - count.length - status.length;
  for (const part of Object.values(optional)) room -= part.length;
  for (const key of ['pid', 'rss', 'uptime'] as const) {
    if (room >= 0) break;
    room += optional[key].length;
    optional[key] = '';
  }
  return (
    <Text wrap="truncate">
      <Text bold color="cyan">
        {version}
      </Text>
      {optional.pid ? <Text dimColor>{optional.pid}</Text> : null}
      {optional.uptime ? <Text>{optional.uptime}</Text> : null}
      {optional.rss ? <Text>{optional.rss}</Text> : null}
      <Text>{count}</Text>
      {error ? (
        <Text color="red">
          {fitLine(`unreachable: ${screenSafe(error)}`, Math.max(0, room) + status.length)}
        </Text>
      ) : (
        <Text color={healthColor(status === '…' ? 'unknown' : status)}>{status}</Text>
      )}
    </Text>
  );
});

/** `1 process`, `5 processes`. */
export function countOf(processes: number): string {
  return `${processes} ${processes === 1 ? 'process' : 'processes'}`;
}

/** The host line: CPU and RAM bars of the machine (from `metrics().host`). */
export const HostBars = memo(function HostBars(props: { host: HostMetrics | null; width: number }) {
  const { host, width } = props;
  const barWidth = Math.max(5, Math.min(20, Math.floor((width - 44) / 2)));
  if (!host) return <Text dimColor>host: metrics unavailable</Text>;
  const total = host.memoryTotalBytes;
  const used = Math.max(0, total - host.memoryAvailableBytes);
  return (
    <Text wrap="truncate">
      <Text dimColor>cpu </Text>
      <Text color="green">{bar(host.cpuPercent / 100, barWidth)}</Text>
      <Text> {host.cpuPercent.toFixed(0).padStart(3)}%</Text>
      <Text dimColor>{host.cpuCount > 0 ? ` ×${host.cpuCount}` : ''} ram </Text>
      <Text color="blue">{bar(total > 0 ? used / total : 0, barWidth)}</Text>
      <Text> {total > 0 ? `${formatBytes(used)} / ${formatBytes(total)}` : 'n/a'}</Text>
    </Text>
  );
});
