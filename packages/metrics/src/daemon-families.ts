import type { DaemonMetrics, HostMetrics, ProcessStatus } from '@velos/core';
import { PROCESS_STATUS_VALUE } from '@velos/core';
import { family, type MetricFamily, pushHistogram } from './metric-family.js';
import { processLabels } from './process-families.js';

const ALERT_PHASES = ['ok', 'pending', 'firing', 'resolved'] as const;

/** OBS-1: the `velos_daemon_*`, `velos_events_total`, `velos_alerts` families. */
export function daemonFamilies(daemon: DaemonMetrics): MetricFamily[] {
  const one = (name: string, type: 'gauge' | 'counter', help: string, value: number, labels = {}) => {
    const target = family(name, type, help);
    target.samples.push({ name, labels, value });
    return target;
  };
  const processes = family('velos_daemon_processes', 'gauge', 'Supervised processes by status.');
  for (const status of Object.keys(PROCESS_STATUS_VALUE) as ProcessStatus[]) {
    processes.samples.push({
      name: processes.name,
      labels: { status },
      value: daemon.processes[status] ?? 0,
    });
  }
  const ipc = family(
    'velos_daemon_ipc_requests_total',
    'counter',
    'IPC requests answered, by command and outcome (ok or the error code).',
  );
  for (const { cmd, outcome, count } of daemon.ipcRequests)
    ipc.samples.push({ name: ipc.name, labels: { cmd, outcome }, value: count });
  const latency = family(
    'velos_daemon_ipc_latency_seconds',
    'histogram',
    'Time from an IPC request to its answer, in seconds.',
  );
  pushHistogram(latency, {}, daemon.ipcLatencySeconds);
  const events = family(
    'velos_events_total',
    'counter',
    'Events published on the bus since the daemon started, by kind.',
  );
  for (const [kind, count] of Object.entries(daemon.events))
    events.samples.push({ name: events.name, labels: { kind }, value: count });
  const alerts = family('velos_alerts', 'gauge', 'Alert rules by phase (ok, pending, firing, resolved).');
  for (const phase of ALERT_PHASES)
    alerts.samples.push({ name: alerts.name, labels: { phase }, value: daemon.alerts[phase] ?? 0 });
  const rejected = family(
    'velos_custom_metrics_rejected_total',
    'counter',
    'Custom metric reports refused (malformed, over a limit), by process.',
  );
  // the labels of the process's own series (velos_process_*), so that the two join in a query
  for (const row of daemon.customMetricsRejected) {
    rejected.samples.push({ name: rejected.name, labels: processLabels(row), value: row.count });
  }
  return [
    one('velos_daemon_info', 'gauge', 'Always 1; the labels say the version and pid of the daemon.', 1, {
      version: daemon.version,
      pid: String(daemon.pid),
    }),
    one('velos_daemon_uptime_seconds', 'gauge', 'Seconds since the daemon started.', daemon.uptimeSeconds),
    processes,
    one(
      'velos_daemon_memory_bytes',
      'gauge',
      'Resident memory of the daemon process, in bytes.',
      daemon.memoryBytes,
    ),
    one(
      'velos_daemon_heap_used_bytes',
      'gauge',
      'V8 heap used by the daemon, in bytes.',
      daemon.heapUsedBytes,
    ),
    ipc,
    latency,
    one(
      'velos_daemon_event_loop_lag_seconds',
      'gauge',
      'Mean event-loop lag of the daemon over the last window, in seconds.',
      daemon.eventLoopLagSeconds.mean,
    ),
    one(
      'velos_daemon_event_loop_lag_max_seconds',
      'gauge',
      'Largest event-loop lag of the daemon over the last window, in seconds.',
      daemon.eventLoopLagSeconds.max,
    ),
    events,
    alerts,
    rejected,
  ];
}

/** OBS-1: the `velos_host_*` families of the machine the daemon runs on. */
export function hostFamilies(host: HostMetrics): MetricFamily[] {
  const gauge = (name: string, help: string, value: number, labels = {}) => {
    const target = family(name, 'gauge', help);
    target.samples.push({ name, labels, value });
    return target;
  };
  const path = { path: host.disk.path };
  const rx = family(
    'velos_host_network_receive_bytes_total',
    'counter',
    'Bytes received by a network interface since boot (loopback left out).',
  );
  const tx = family(
    'velos_host_network_transmit_bytes_total',
    'counter',
    'Bytes sent by a network interface since boot (loopback left out).',
  );
  for (const nic of host.network) {
    rx.samples.push({ name: rx.name, labels: { interface: nic.interface }, value: nic.rxBytes });
    tx.samples.push({ name: tx.name, labels: { interface: nic.interface }, value: nic.txBytes });
  }
  return [
    gauge(
      'velos_host_cpu_percent',
      'CPU busy percent of the whole machine since the previous snapshot (100 = all cores).',
      host.cpuPercent,
    ),
    gauge('velos_host_cpus', 'Logical CPUs of the machine.', host.cpuCount),
    gauge('velos_host_memory_total_bytes', 'Memory of the machine, in bytes.', host.memoryTotalBytes),
    gauge(
      'velos_host_memory_available_bytes',
      'Memory available to new programs, in bytes.',
      host.memoryAvailableBytes,
    ),
    gauge('velos_host_load1', 'Load average over 1 minute.', host.load[0]),
    gauge('velos_host_load5', 'Load average over 5 minutes.', host.load[1]),
    gauge('velos_host_load15', 'Load average over 15 minutes.', host.load[2]),
    gauge(
      'velos_host_disk_total_bytes',
      'Size of the filesystem holding VELOS_HOME, in bytes.',
      host.disk.totalBytes,
      path,
    ),
    gauge(
      'velos_host_disk_free_bytes',
      'Free bytes of the filesystem holding VELOS_HOME.',
      host.disk.freeBytes,
      path,
    ),
    gauge(
      'velos_host_disk_available_bytes',
      'Bytes of the filesystem holding VELOS_HOME available to unprivileged users.',
      host.disk.availableBytes,
      path,
    ),
    rx,
    tx,
  ];
}
