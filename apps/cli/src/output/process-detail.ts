import { basename } from 'node:path';
import {
  formatBytes,
  formatDuration,
  formatUmask,
  type JobRun,
  type MemoryGrowth,
  type ProbeSpec,
  type ProcessDetail,
} from '@velos/core';
import { commandLine, isSampled, toAiDetail } from '@velos/core/ai';
import { customMetricValueText, summarizeCustomMetrics } from '@velos/core/custom-metric-view';

export { commandLine, toAiDetail };

import type { Colors } from './colors.js';
import { escapeControlChars } from './log-line.js';
import { memoryGrowthText } from './memory-growth.js';
import { healthPaint, healthText, jobSummary, NO_PROCESSES, statusPaint } from './process-list.js';
import { formatCpu, formatMs } from './units.js';

/**
 * `velos describe` as text: a heading per process, then aligned `key  value` lines; `growths` the
 * memory that grows without `max_memory`, by id (`findGrowthsWithoutLimit`).
 */
export function renderProcessDetails(
  details: ProcessDetail[],
  colors: Colors,
  now = Date.now(),
  growths: ReadonlyMap<number, MemoryGrowth> = new Map(),
): string {
  if (details.length === 0) return NO_PROCESSES;
  return details.map((d) => renderOne(d, colors, now, growths.get(d.id))).join('\n\n');
}

/** A probe's configuration in one line: `http GET http://127.0.0.1:3000/health (200-399), every 10s, …`. */
export function describeProbe(probe: ProbeSpec): string {
  const check =
    probe.kind === 'http'
      ? `http GET ${probe.url} (${probe.statusMin === probe.statusMax ? probe.statusMin : `${probe.statusMin}-${probe.statusMax}`})`
      : probe.kind === 'tcp'
        ? `tcp ${probe.host}:${probe.port}`
        : `exec ${probe.command}`;
  const timing = [
    `every ${formatMs(probe.intervalMs)}`,
    `timeout ${formatMs(probe.timeoutMs)}`,
    `fails after ${probe.failureThreshold}`,
    `passes after ${probe.successThreshold}`,
  ];
  if (probe.initialDelayMs > 0) timing.push(`initial delay ${formatMs(probe.initialDelayMs)}`);
  return `${check}, ${timing.join(', ')}`;
}

function renderOne(d: ProcessDetail, colors: Colors, now: number, growth: MemoryGrowth | undefined): string {
  const spec = d.spec;
  const rows: [string, string][] = [
    ['pid', d.pid === null ? '-' : String(d.pid)],
    ['uptime', d.startedAt === null ? '-' : `${formatDuration(d.uptime)} (since ${isoLocal(d.startedAt)})`],
    ['restarts', `${d.restarts} (unstable in a row: ${d.unstableRestarts} of ${spec.maxRestarts})`],
    ['last exit', lastExit(d)],
  ];
  if (d.status === 'waiting-restart' && d.restartAt !== null) {
    rows.push(['next restart', `in ${formatMs(Math.max(0, d.restartAt - now))}`]);
  }
  // nothing runs, or not sampled yet (a run's first 2 s): no current figure, only the peaks of earlier runs
  const isMeasured = isSampled(d);
  rows.push(
    ['cpu', `${isMeasured ? formatCpu(d.cpu) : '-'} (peak ${hasPeaks(d) ? formatCpu(d.cpuPeak) : '-'})`],
    ['memory', `${isMeasured ? formatBytes(d.memory) : '-'} (${memoryFacts(d)})`],
    ...(growth === undefined
      ? []
      : ([['memory growth', colors.yellow(memoryGrowthText(growth))]] as [string, string][])),
    ['command', commandLine(d)],
    ['script', spec.script],
    ['cwd', spec.cwd],
    ['interpreter', interpreterText(d)],
    ...(spec.umask === undefined ? [] : ([['umask', formatUmask(spec.umask)]] as [string, string][])),
    ['instances', `${spec.instances} (this is instance ${d.instance})`],
    ['mode', d.execMode],
    ['autorestart', autorestart(d)],
    ...(spec.cronRestart === undefined ? [] : ([['cron restart', spec.cronRestart]] as [string, string][])),
    ...dependencyRows(d),
    ['stop', stopText(spec)],
    [spec.mergeLogs ? 'log' : 'out log', `${d.outLogPath} (${capturedLines(d.logLines.out)})`],
  );
  if (!spec.mergeLogs) rows.push(['err log', `${d.errLogPath} (${capturedLines(d.logLines.err)})`]);
  if (d.combinedLogPath !== undefined) rows.push(['combined log', d.combinedLogPath]);
  rows.push(...watchRows(d), ...jobRows(d, now), ...healthRows(d, colors), ...metricRows(d, colors));
  rows.push(
    ['log format', `${spec.logFormat}${spec.logDateFormat ? `, timestamps ${spec.logDateFormat}` : ''}`],
    ['dropped lines', String(d.logDropped)],
    ['env', `${spec.envKeys.length} variables`],
    ['created', isoLocal(d.createdAt)],
  );
  const width = Math.max(...rows.map(([key]) => key.length));
  const status = d.adopted ? `${d.status} (adopted)` : d.status;
  const heading = `${colors.bold(d.name)}  ${statusPaint(d.status, colors)(status)}  ${colors.dim(
    `id ${d.id} · namespace ${d.namespace}`,
  )}`;
  return [heading, ...rows.map(([key, value]) => `  ${colors.dim(key.padEnd(width))}  ${value}`)].join('\n');
}

/** What runs the script: the app's interpreter, the one its extension chose, a shell for a command line, or none. */
function interpreterText(d: ProcessDetail): string {
  if (d.spec.interpreter !== undefined) return d.spec.interpreter;
  const { file, shell } = d.command;
  if (shell) return `${file} (a command line)`;
  if (basename(file) === basename(d.spec.script)) return 'none (run directly)';
  // without a known extension the supervisor went by the #! line (Express's bin/www, a script not executable)
  return KNOWN_EXTENSION.test(d.spec.script) ? `${file} (by extension)` : `${file} (by its #! line)`;
}

/** The extensions the supervisor picks an interpreter for (resolve-command.ts). */
const KNOWN_EXTENSION = /\.[cm]?[jt]s$|\.(py|sh|rb|pl|php)$/i;

/**
 * SUP-12: the app's `depends_on`, each with its condition; while it waits for them (`starting`, no pid)
 * the row says so, since nothing else does but the daemon log, and a `waiting for` row names each
 * dependency not met yet with where it stands (a daemon before session 49 sends none).
 */
function dependencyRows(d: ProcessDetail): [string, string][] {
  const dependencies = d.spec.dependsOn ?? [];
  if (dependencies.length === 0) return [];
  const list = dependencies.map((dependency) => `${dependency.name} (${dependency.condition})`).join(', ');
  const isWaiting = d.status === 'starting' && d.pid === null;
  const rows: [string, string][] = [['depends on', isWaiting ? `${list}: waiting until they are met` : list]];
  if (isWaiting && d.waitingFor && d.waitingFor.length > 0) {
    const unmet = d.waitingFor.map((w) => `${w.name} (${w.condition}): ${w.state}`).join('; ');
    rows.push(['waiting for', unmet]);
  }
  return rows;
}

/** SUP-11: state, readiness, the latest failure and each probe's configuration. */
function healthRows(d: ProcessDetail, colors: Colors): [string, string][] {
  const rows: [string, string][] = [];
  if (d.health) {
    rows.push(['health', healthPaint(d.health, colors)(healthText(d.health))]);
    rows.push(['ready', d.health.ready ? 'yes' : 'no']);
    const failure = d.health.lastFailure;
    rows.push([
      'last failure',
      failure ? `${failure.probe}: ${failure.reason} (${isoLocal(failure.at)})` : 'none',
    ]);
  }
  if (d.spec.livenessProbe) rows.push(['liveness', describeProbe(d.spec.livenessProbe)]);
  if (d.spec.readinessProbe) rows.push(['readiness', describeProbe(d.spec.readinessProbe)]);
  return rows;
}

/** OBS-6: the first custom metric series by name, one a line (`orders_total{shop="eu"}  3`), then `+K more`. */
function metricRows(d: ProcessDetail, colors: Colors): [string, string][] {
  if (!d.custom?.length) return [];
  const { shown, more } = summarizeCustomMetrics(d.custom);
  // the app's label values: an ESC or BEL in one is shown as \xHH, never acted on by the terminal
  const names = shown.map((view) => escapeControlChars(view.series));
  const width = Math.max(...names.map((name) => name.length));
  const rows = shown.map((view, i): [string, string] => [
    i === 0 ? 'metrics' : '',
    `${names[i]!.padEnd(width)}  ${customMetricValueText(view)}${view.type === 'histogram' ? colors.dim(' (histogram)') : ''}`,
  ]);
  if (more > 0) rows.push(['', colors.dim(`+${more} more (describe --json lists them all)`)]);
  return rows;
}

/** The peak, and the limit past which the app is restarted (`max_memory_restart`) when it has one. */
/** Whether any run of the process was measured yet: no process runs in 0 bytes, so a peak of 0 is none. */
function hasPeaks(d: ProcessDetail): boolean {
  return d.memoryPeak > 0;
}

function memoryFacts(d: ProcessDetail): string {
  const peak = `peak ${hasPeaks(d) ? formatBytes(d.memoryPeak) : '-'}`;
  return d.spec.maxMemoryBytes === undefined
    ? peak
    : `${peak}, restart above ${formatBytes(d.spec.maxMemoryBytes)}`;
}

/** SUP-7: watched paths, whether the watcher runs, the debounce, and what is ignored. */
function watchRows(d: ProcessDetail): [string, string][] {
  const paths = d.spec.watch;
  if (!paths || paths.length === 0) return [];
  const state = d.watching ? 'on' : 'off';
  const ignored = d.spec.ignoreWatch.length > 0 ? d.spec.ignoreWatch.join(', ') : 'nothing';
  return [
    ['watch', `${state}: ${paths.join(', ')} (delay ${formatMs(d.spec.watchDelayMs)})`],
    ...(d.watchError === undefined ? [] : [['watch failed', d.watchError] as [string, string]]),
    ['watch ignores', ignored],
  ];
}

/** SUP-8: a job's trigger, its latest run and the next one. */
function jobRows(d: ProcessDetail, now: number): [string, string][] {
  if (d.spec.type !== 'job') return [];
  const spec = d.spec;
  const trigger =
    spec.schedule !== undefined
      ? `schedule ${spec.schedule}`
      : spec.intervalMs !== undefined
        ? `every ${formatMs(spec.intervalMs)}`
        : 'on start';
  const timeout = spec.jobTimeoutMs === undefined ? 'no timeout' : `timeout ${formatMs(spec.jobTimeoutMs)}`;
  const rows: [string, string][] = [['job', `${trigger}, ${timeout}, keeps ${spec.jobHistory} runs`]];
  if (d.job) {
    rows.push(['runs', jobSummary(d.job, now)]);
    const last = d.job.lastRun;
    if (last) {
      const took =
        last.endedAt !== null
          ? `took ${formatMs(last.endedAt - last.startedAt)}`
          : last.outcome === 'running'
            ? 'running'
            : 'end unknown';
      const exit = last.exitCode === null ? (last.signal ?? endedUnknown(last)) : `exit ${last.exitCode}`;
      rows.push([
        'last run',
        `#${last.seq} ${last.outcome} (${exit}, ${took}, started ${isoLocal(last.startedAt)})`,
      ]);
    }
  }
  return rows;
}

/**
 * The exit of a run that ended without code or signal: `exit unknown` for one a new daemon took over
 * and saw end (outcome `unknown`), `-` for one that has none (running, interrupted, skipped).
 */
function endedUnknown(run: JobRun): string {
  return run.outcome === 'unknown' ? 'exit unknown' : '-';
}

/** Lines captured since the process started (flushed and rotated ones included), not the file's line count. */
function capturedLines(n: number): string {
  return `${n === 1 ? '1 line' : `${n} lines`} captured since start`;
}

function lastExit(d: ProcessDetail): string {
  if (d.lastExitReason === null && d.exitCode === null && d.signal === null) return 'none';
  // SUP-13: a re-adopted run is not the daemon's child; how it ended (clean or crash) is unknown
  if (d.lastExitReason === 'unknown') return "exited, code unknown (re-adopted: not this daemon's child)";
  // SUP-5: the cluster primary exited and the worker with it; the primary's exit is the failure
  if (d.lastExitReason === 'primary-exit') return 'ended with its cluster primary (reason primary-exit)';
  const parts = [
    d.exitCode === null ? null : `code ${d.exitCode}`,
    d.signal === null ? null : `signal ${d.signal}`,
    d.lastExitReason === null ? null : `reason ${d.lastExitReason}`,
  ];
  return parts.filter((p) => p !== null).join(', ');
}

function autorestart(d: ProcessDetail): string {
  const spec = d.spec;
  if (spec.type === 'job') return 'no (a job runs on its schedule)';
  if (!spec.autorestart) return 'off';
  // the backoff replaces restart_delay (the restart policy reads one or the other)
  const parts = [
    spec.expBackoffRestartDelayMs > 0
      ? `backoff ${formatMs(spec.expBackoffRestartDelayMs)} up to ${formatMs(spec.maxBackoffDelayMs)}`
      : `delay ${formatMs(spec.restartDelayMs)}, no backoff`,
    `min uptime ${formatMs(spec.minUptimeMs)}`,
  ];
  if (spec.stopExitCodes.length > 0) parts.push(`not on exit ${spec.stopExitCodes.join(', ')}`);
  return `on (${parts.join(', ')})`;
}

/** How a stop goes: the stop signal, or PM2's 'shutdown' message (the signal when a run has no channel), then SIGKILL. */
function stopText(spec: ProcessDetail['spec']): string {
  const first = spec.shutdownWithMessage
    ? `message 'shutdown' (${spec.stopSignal} without an IPC channel)`
    : spec.stopSignal;
  return `${first}, then SIGKILL after ${formatMs(spec.killTimeoutMs)}`;
}

function isoLocal(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
