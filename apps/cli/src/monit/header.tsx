import { formatBytes, formatDuration, type HostMetrics } from '@velos/core';
import { Text } from 'ink';
import { memo } from 'react';
import { bar, healthColor } from './format.js';
import type { MonitData } from './monit-store.js';

/** The first line: daemon version, pid, uptime, RSS, process count and self-health. */
export const Header = memo(function Header(props: {
  ping: MonitData['ping'];
  metrics: MonitData['metrics'];
  health: MonitData['health'];
  processes: MonitData['processes'];
  error: string | null;
}) {
  const { ping, metrics, health, processes, error } = props;
  const daemon = metrics?.daemon;
  const version = daemon?.version ?? ping?.version ?? '…';
  const uptimeMs = daemon ? daemon.uptimeSeconds * 1000 : ping?.uptimeMs;
  const online = processes?.filter((p) => p.status === 'online').length ?? 0;
  return (
    <Text wrap="truncate">
      <Text bold color="cyan">
        velos {version}
      </Text>
      {ping ? <Text dimColor> pid {ping.pid}</Text> : null}
      {uptimeMs !== undefined ? <Text> · up {formatDuration(uptimeMs)}</Text> : null}
      {daemon ? <Text> · rss {formatBytes(daemon.memoryBytes)}</Text> : null}
      <Text>
        {' '}
        · {countOf(processes?.length ?? 0)} ({online} online)
      </Text>
      <Text> · health </Text>
      {error ? (
        <Text color="red">unreachable: {error}</Text>
      ) : (
        <Text color={healthColor(health?.status ?? 'unknown')}>{health?.status ?? '…'}</Text>
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
