import type { Attributes } from '@opentelemetry/api';
import {
  type AlertPhase,
  type MetricsSnapshot,
  PROCESS_STATUS_VALUE,
  type ProcessLabels,
  type ProcessMetrics,
  type ProcessStatus,
} from '@velos/core';

/** How a figure is exported: a gauge (a level) or a monotonic counter (a total since start). */
export type VelosMetricKind = 'gauge' | 'counter';

/** One exported metric: its name, kind, unit, and how to read its points from a snapshot. */
export interface VelosMetric {
  name: string;
  kind: VelosMetricKind;
  /** UCUM unit (`By`, `s`, `%`; empty for a count), which collectors use to add Prometheus unit suffixes (already there). */
  unit: string;
  description: string;
  points(snapshot: MetricsSnapshot): Iterable<[number, Attributes]>;
}

const HEALTH_STATES = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;
const ALERT_PHASES: readonly AlertPhase[] = ['ok', 'pending', 'firing', 'resolved'];
// every status and phase, 0 included, as /metrics writes them: a point left out when its count
// fell to 0 would keep its last value in a backend (a Prometheus series goes stale after 5 min)
const PROCESS_STATUSES = Object.keys(PROCESS_STATUS_VALUE) as ProcessStatus[];

/**
 * OBS-1/OBS-5: every metric the OTLP export sends, with the Prometheus names of the design and the
 * labels `name`, `id`, `instance`, `namespace` on per-process series, so a collector that turns
 * OTLP into Prometheus series gives the same series as Velos' own `/metrics`.
 */
export const VELOS_METRICS: readonly VelosMetric[] = [
  perProcess(
    'velos_process_cpu_percent',
    'gauge',
    '%',
    'CPU of the process tree, 100 = one core',
    (p) => p.cpuPercent,
  ),
  perProcess('velos_process_memory_bytes', 'gauge', 'By', 'RSS of the process tree', (p) => p.memoryBytes),
  perProcess('velos_process_memory_peak_bytes', 'gauge', 'By', 'Highest RSS seen', (p) => p.memoryPeakBytes),
  perProcess(
    'velos_process_uptime_seconds',
    'gauge',
    's',
    'Seconds since the run came online',
    (p) => p.uptimeSeconds,
  ),
  perProcess('velos_process_restart_total', 'counter', '', 'Restarts since added', (p) => p.restarts),
  perProcess(
    'velos_process_status',
    'gauge',
    '',
    'Status: 0 stopped, 1 online, 2 errored, 3 starting, 4 stopping, 5 waiting-restart, 6 scheduled',
    (p) => PROCESS_STATUS_VALUE[p.status],
  ),
  perProcessMany('velos_process_log_lines_total', 'counter', '', 'Output lines captured, by stream', (p) => [
    [p.logLines.out, { stream: 'out' }],
    [p.logLines.err, { stream: 'err' }],
  ]),
  perProcess(
    'velos_process_log_errors_total',
    'counter',
    '',
    'Lines classified error or fatal',
    (p) => p.logErrors,
  ),
  perProcess('velos_process_log_bytes_total', 'counter', 'By', 'Output bytes captured', (p) => p.logBytes),
  perProcess(
    'velos_process_log_dropped_lines_total',
    'counter',
    '',
    'Lines dropped (disk too slow)',
    (p) => p.logDropped,
  ),
  perProcessMany('velos_process_exits_total', 'counter', '', 'Exits by reason', (p) =>
    Object.entries(p.exits).map(([reason, count]): [number, Attributes] => [count, { reason }]),
  ),
  perProcessMany('velos_process_health', 'gauge', '', 'Probe health: 1 for the current state', (p) =>
    p.health === null
      ? []
      : HEALTH_STATES.map((state): [number, Attributes] => [p.health === state ? 1 : 0, { state }]),
  ),
  perProcessMany('velos_job_runs_total', 'counter', '', 'Job runs by outcome', (p) =>
    Object.entries(p.job?.runs ?? {}).map(([outcome, count]): [number, Attributes] => [
      count ?? 0,
      { outcome },
    ]),
  ),
  daemon(
    'velos_daemon_info',
    'gauge',
    '',
    'Always 1; the attributes say the version and pid of the daemon',
    (s) => [[1, { version: s.daemon.version, pid: String(s.daemon.pid) }]],
  ),
  daemon('velos_daemon_uptime_seconds', 'gauge', 's', 'Seconds since the daemon started', (s) => [
    [s.daemon.uptimeSeconds, {}],
  ]),
  daemon('velos_daemon_processes', 'gauge', '', 'Supervised processes by status', (s) =>
    PROCESS_STATUSES.map((status): [number, Attributes] => [s.daemon.processes[status] ?? 0, { status }]),
  ),
  daemon('velos_daemon_memory_bytes', 'gauge', 'By', 'RSS of the daemon', (s) => [
    [s.daemon.memoryBytes, {}],
  ]),
  daemon('velos_daemon_heap_used_bytes', 'gauge', 'By', 'V8 heap used by the daemon', (s) => [
    [s.daemon.heapUsedBytes, {}],
  ]),
  daemon('velos_daemon_ipc_requests_total', 'counter', '', 'IPC requests by command and outcome', (s) =>
    s.daemon.ipcRequests.map((r): [number, Attributes] => [r.count, { cmd: r.cmd, outcome: r.outcome }]),
  ),
  daemon(
    'velos_daemon_event_loop_lag_seconds',
    'gauge',
    's',
    'Mean event-loop lag of the last window',
    (s) => [[s.daemon.eventLoopLagSeconds.mean, {}]],
  ),
  daemon(
    'velos_daemon_event_loop_lag_max_seconds',
    'gauge',
    's',
    'Largest event-loop lag of the last window',
    (s) => [[s.daemon.eventLoopLagSeconds.max, {}]],
  ),
  daemon('velos_events_total', 'counter', '', 'Events published on the bus, by kind', (s) =>
    Object.entries(s.daemon.events).map(([kind, count]): [number, Attributes] => [count, { kind }]),
  ),
  daemon('velos_alerts', 'gauge', '', 'Alert rules by phase', (s) =>
    ALERT_PHASES.map((phase): [number, Attributes] => [s.daemon.alerts[phase] ?? 0, { phase }]),
  ),
  daemon('velos_host_cpu_percent', 'gauge', '%', 'CPU busy of the machine (100 = all cores)', (s) => [
    [s.host.cpuPercent, {}],
  ]),
  daemon(
    'velos_custom_metrics_rejected_total',
    'counter',
    '',
    'Custom metric reports refused (malformed, over a limit), by process',
    (s) =>
      s.daemon.customMetricsRejected.map((row): [number, Attributes] => [row.count, processAttributes(row)]),
  ),
  daemon('velos_host_cpus', 'gauge', '', 'Logical CPUs of the machine', (s) => [[s.host.cpuCount, {}]]),
  daemon('velos_host_memory_total_bytes', 'gauge', 'By', 'Memory of the machine', (s) => [
    [s.host.memoryTotalBytes, {}],
  ]),
  daemon('velos_host_memory_available_bytes', 'gauge', 'By', 'Memory available', (s) => [
    [s.host.memoryAvailableBytes, {}],
  ]),
  daemon('velos_host_load1', 'gauge', '', 'Load average over 1 minute', (s) => [[s.host.load[0], {}]]),
  daemon('velos_host_load5', 'gauge', '', 'Load average over 5 minutes', (s) => [[s.host.load[1], {}]]),
  daemon('velos_host_load15', 'gauge', '', 'Load average over 15 minutes', (s) => [[s.host.load[2], {}]]),
  daemon('velos_host_disk_total_bytes', 'gauge', 'By', 'Size of the filesystem of VELOS_HOME', (s) => [
    [s.host.disk.totalBytes, { path: s.host.disk.path }],
  ]),
  daemon('velos_host_disk_free_bytes', 'gauge', 'By', 'Free bytes of that filesystem', (s) => [
    [s.host.disk.freeBytes, { path: s.host.disk.path }],
  ]),
  daemon('velos_host_disk_available_bytes', 'gauge', 'By', 'Space available to Velos there', (s) => [
    [s.host.disk.availableBytes, { path: s.host.disk.path }],
  ]),
  daemon('velos_host_network_receive_bytes_total', 'counter', 'By', 'Bytes received since boot', (s) =>
    s.host.network.map((n): [number, Attributes] => [n.rxBytes, { interface: n.interface }]),
  ),
  daemon('velos_host_network_transmit_bytes_total', 'counter', 'By', 'Bytes sent since boot', (s) =>
    s.host.network.map((n): [number, Attributes] => [n.txBytes, { interface: n.interface }]),
  ),
];

/** The labels of a process's series, as the Prometheus endpoint writes them. */
export function processAttributes(p: ProcessLabels): Attributes {
  return { name: p.name, id: String(p.id), instance: String(p.instance), namespace: p.namespace };
}

function perProcess(
  name: string,
  kind: VelosMetricKind,
  unit: string,
  description: string,
  value: (p: ProcessMetrics) => number,
): VelosMetric {
  return perProcessMany(name, kind, unit, description, (p) => [[value(p), {}]]);
}

function perProcessMany(
  name: string,
  kind: VelosMetricKind,
  unit: string,
  description: string,
  values: (p: ProcessMetrics) => Iterable<[number, Attributes]>,
): VelosMetric {
  return {
    name,
    kind,
    unit,
    description,
    *points(snapshot) {
      for (const p of snapshot.processes) {
        const labels = processAttributes(p);
        for (const [value, extra] of values(p)) yield [value, { ...labels, ...extra }];
      }
    },
  };
}

function daemon(
  name: string,
  kind: VelosMetricKind,
  unit: string,
  description: string,
  points: (s: MetricsSnapshot) => Iterable<[number, Attributes]>,
): VelosMetric {
  return { name, kind, unit, description, points };
}
