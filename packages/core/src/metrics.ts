import type { AlertPhase } from './alert-rule.js';
import type { HealthState, JobRun, ProcessStatus } from './process-info.js';

/**
 * OBS-1: the value of `velos_process_status` for each life-cycle state: 0 stopped, 1 online,
 * 2 errored as the design says; the passing states get their own values so a graph tells them apart.
 */
export const PROCESS_STATUS_VALUE: Readonly<Record<ProcessStatus, number>> = {
  stopped: 0,
  online: 1,
  errored: 2,
  starting: 3,
  stopping: 4,
  'waiting-restart': 5,
  scheduled: 6,
};

/** A histogram as counted: `counts[i]` observations ≤ `bounds[i]` (cumulative), the last bound `+Inf`. */
export interface HistogramData {
  /** Upper bounds of the buckets, ascending; the last one is `Infinity` (sent as `null` over JSON). */
  bounds: number[];
  /** Cumulative count of observations at or below each bound. */
  counts: number[];
  sum: number;
  count: number;
}

/** The labels every per-process series carries (OBS-1). */
export interface ProcessLabels {
  id: number;
  name: string;
  instance: number;
  namespace: string;
}

/** OBS-1: the figures of one supervised process, as `velos_process_*` exposes them. */
export interface ProcessMetrics extends ProcessLabels {
  status: ProcessStatus;
  pid: number | null;
  /** CPU percent of the process tree, 100 = one core (last sample). */
  cpuPercent: number;
  memoryBytes: number;
  memoryPeakBytes: number;
  /** Seconds since the current run came online; 0 when not running. */
  uptimeSeconds: number;
  restarts: number;
  /** Exits and restarts by reason (`crash`, `memory`, `user`…) since the process was added. */
  exits: Record<string, number>;
  /** Lines captured by stream, since the daemon began capturing the process. */
  logLines: { out: number; err: number };
  /** Lines the classifier counted at level error or fatal. */
  logErrors: number;
  /** Bytes captured (both streams). */
  logBytes: number;
  /** Lines dropped because a writer outran the disk. */
  logDropped: number;
  /** Probe health (SUP-11); null when the app has no probe. */
  health: HealthState | null;
  /** Job runs by outcome and their durations (SUP-8); absent for services. */
  job?: { runs: Partial<Record<JobRun['outcome'], number>>; durationSeconds: HistogramData };
  /** Custom metrics the process published (OBS-6), by series. */
  custom?: CustomMetricSeries[];
  /** The app's own Prometheus endpoint (`metrics_url`), re-exposed with the app's labels. */
  metricsUrl?: string;
}

/** OBS-6: kinds of custom metrics an app publishes. */
export type CustomMetricType = 'counter' | 'gauge' | 'histogram';

/** OBS-6: one series of an app's custom metric: a name and labels, with its current value. */
export interface CustomMetricSeries {
  name: string;
  type: CustomMetricType;
  help?: string;
  /** The app's own labels (never `id`, `name`, `instance` or `namespace`, which Velos adds). */
  labels: Record<string, string>;
  /** Counter total or gauge value; absent for a histogram. */
  value?: number;
  histogram?: HistogramData;
  /** Epoch ms of the last update. */
  updatedAt: number;
}

/** OBS-1: what the daemon knows about itself. */
export interface DaemonMetrics {
  version: string;
  pid: number;
  uptimeSeconds: number;
  /** RSS of the daemon process. */
  memoryBytes: number;
  heapUsedBytes: number;
  /** Memory outside the V8 heap held by JavaScript objects (Buffers of log lines read and queued). */
  externalBytes?: number;
  /** Supervised processes by status. */
  processes: Partial<Record<ProcessStatus, number>>;
  /** IPC requests answered, by command and outcome (`ok` or the error code). */
  ipcRequests: { cmd: string; outcome: string; count: number }[];
  /** Time from a request's frame to its answer, in seconds. */
  ipcLatencySeconds: HistogramData;
  /** Event-loop lag, in seconds: the mean and the largest of the last window. */
  eventLoopLagSeconds: { mean: number; max: number };
  /** Events published on the bus since start, by kind. */
  events: Record<string, number>;
  /** Alert rules by state. */
  alerts: Partial<Record<AlertPhase, number>>;
  /** Custom metric reports refused (malformed, over a limit), by process (with the labels of its other series). */
  customMetricsRejected: (ProcessLabels & { count: number })[];
  /** Active libuv handles and requests by type (`Timeout`, `PipeWrap`…), to see leaks of timers and sockets over time. */
  activeResources?: Record<string, number>;
}

/** OBS-1: the machine the daemon runs on (Linux figures from /proc; elsewhere what `os` gives). */
export interface HostMetrics {
  /** CPU busy percent of the whole machine since the previous snapshot (100 = all cores). */
  cpuPercent: number;
  cpuCount: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  load: [number, number, number];
  /** The filesystem holding `$VELOS_HOME`. */
  disk: { path: string; totalBytes: number; freeBytes: number; availableBytes: number };
  /** Bytes received and sent per network interface (loopback left out), since boot. */
  network: { interface: string; rxBytes: number; txBytes: number }[];
}

/** Everything the daemon measures at one moment: what `/metrics`, OTel, the TUI and the dashboard show. */
export interface MetricsSnapshot {
  /** Epoch ms of the snapshot. */
  at: number;
  daemon: DaemonMetrics;
  host: HostMetrics;
  processes: ProcessMetrics[];
}

/** OBS-7: a request for the history of the target's processes. */
export interface MetricsHistoryRequest {
  target: string;
  /** How far back, in ms (default and most: 24 h); the last hour comes at the sampling resolution. */
  sinceMs?: number;
  /** At most this many points per process, downsampled evenly (default: all). */
  points?: number;
}

/**
 * OBS-6: a custom metric report sent over the protocol or the REST API, by a program that is not a
 * supervised child (a Python worker, a cron job), for one of the daemon's processes: the fields of a
 * JSON line's report (`velos_metric`, `type`, `value`, `op`, `labels`, `help`, `buckets`), judged by
 * the same rules, limits and rate as the process's own reports, and which process it is of.
 */
export interface MetricReportRequest extends CustomMetricReportInput {
  /** The process the metric is of: an app name or a process id. */
  target: string;
  /** Which instance of an app of several (0-based); needed when the target has more than one process. */
  instance?: number;
}

/** OBS-6: a custom metric report as an app writes it (docs/custom-metrics.md). */
export interface CustomMetricReportInput {
  velos_metric: string;
  type: string;
  value?: number;
  op?: string;
  labels?: Record<string, string | number | boolean>;
  help?: string;
  buckets?: number[];
}

/** OBS-7: one process's history, as columns of equal length (oldest first); gaps are null. */
export interface MetricsHistory extends ProcessLabels {
  /** Epoch ms of each point. */
  t: number[];
  /** CPU percent (mean over the point's span). */
  cpu: (number | null)[];
  /** RSS bytes (mean over the point's span). */
  memory: (number | null)[];
  /** Restarts since the process was added (`velos reset` does not lower them) at the end of the point's span. */
  restarts: (number | null)[];
  /** Log lines per second over the point's span. */
  logRate: (number | null)[];
  /**
   * Restarts in the window: the count now less the count at the window's start (the last point before
   * it; 0 for a process added within it), so restarts before its first point count too (a crash loop
   * over before the first sample). Absent when unknown: no point before it or in it of an older process.
   */
  restartsInWindow?: number;
  /** Set when the answer's size limit downsampled this series more than asked: its points and those merged away. */
  cut?: { maxPoints: number; omittedPoints: number };
}
