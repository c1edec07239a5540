import { formatBytes, formatDuration, type ProcessDetail } from '@velos/core';
import type { Colors } from './colors.js';
import { statusPaint } from './process-list.js';
import { formatCpu, formatMs, roundCpu, shortStatus } from './units.js';

/** `velos describe` as text: a heading per process, then aligned `key  value` lines. */
export function renderProcessDetails(details: ProcessDetail[], colors: Colors, now = Date.now()): string {
  return details.map((d) => renderOne(d, colors, now)).join('\n\n');
}

/** The `--ai` form of `velos describe`: short keys, facts only, empty things left out. */
export function toAiDetail(d: ProcessDetail): Record<string, unknown> {
  return {
    i: d.id,
    n: d.name,
    ...(d.namespace === 'default' ? {} : { ns: d.namespace }),
    s: shortStatus(d.status),
    ...(d.pid === null ? {} : { p: d.pid }),
    c: roundCpu(d.cpu),
    cpk: roundCpu(d.cpuPeak),
    m: formatBytes(d.memory),
    mpk: formatBytes(d.memoryPeak),
    ...(d.uptime > 0 ? { u: formatDuration(d.uptime) } : {}),
    r: d.restarts,
    cmd: commandLine(d),
    cwd: d.spec.cwd,
    ...(d.lastExitReason === null
      ? {}
      : { exit: { code: d.exitCode, sig: d.signal, why: d.lastExitReason } }),
    out: d.outLogPath,
    ...(d.spec.mergeLogs ? {} : { err: d.errLogPath }),
    lines: { out: d.logLines.out, err: d.logLines.err },
    ...(d.logDropped > 0 ? { dropped: d.logDropped } : {}),
  };
}

/** The command a process runs, as one shell-like line. */
export function commandLine(d: ProcessDetail): string {
  return [d.command.file, ...d.command.args].map(quote).join(' ');
}

function renderOne(d: ProcessDetail, colors: Colors, now: number): string {
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
  rows.push(
    ['cpu', `${formatCpu(d.cpu)} (peak ${formatCpu(d.cpuPeak)})`],
    ['memory', `${formatBytes(d.memory)} (peak ${formatBytes(d.memoryPeak)})`],
    ['command', commandLine(d)],
    ['script', spec.script],
    ['cwd', spec.cwd],
    ['interpreter', spec.interpreter ?? 'by extension'],
    ['instances', `${spec.instances} (this is instance ${d.instance})`],
    ['autorestart', autorestart(d)],
    ['stop', `${spec.stopSignal}, then SIGKILL after ${formatMs(spec.killTimeoutMs)}`],
    [spec.mergeLogs ? 'log' : 'out log', `${d.outLogPath} (${lineCount(d.logLines.out)})`],
  );
  if (!spec.mergeLogs) rows.push(['err log', `${d.errLogPath} (${lineCount(d.logLines.err)})`]);
  rows.push(
    ['log format', `${spec.logFormat}${spec.logDateFormat ? `, timestamps ${spec.logDateFormat}` : ''}`],
    ['dropped lines', String(d.logDropped)],
    ['env', `${spec.envKeys.length} variables`],
    ['created', isoLocal(d.createdAt)],
  );
  const width = Math.max(...rows.map(([key]) => key.length));
  const heading = `${colors.bold(d.name)}  ${statusPaint(d.status, colors)(d.status)}  ${colors.dim(
    `id ${d.id} · namespace ${d.namespace}`,
  )}`;
  return [heading, ...rows.map(([key, value]) => `  ${colors.dim(key.padEnd(width))}  ${value}`)].join('\n');
}

function lineCount(n: number): string {
  return n === 1 ? '1 line' : `${n} lines`;
}

function lastExit(d: ProcessDetail): string {
  if (d.lastExitReason === null && d.exitCode === null && d.signal === null) return 'none';
  const parts = [
    d.exitCode === null ? null : `code ${d.exitCode}`,
    d.signal === null ? null : `signal ${d.signal}`,
    d.lastExitReason === null ? null : `reason ${d.lastExitReason}`,
  ];
  return parts.filter((p) => p !== null).join(', ');
}

function autorestart(d: ProcessDetail): string {
  const spec = d.spec;
  if (!spec.autorestart) return 'off';
  const parts = [
    `delay ${formatMs(spec.restartDelayMs)}`,
    spec.expBackoffRestartDelayMs > 0
      ? `backoff ${formatMs(spec.expBackoffRestartDelayMs)} up to ${formatMs(spec.maxBackoffDelayMs)}`
      : 'no backoff',
    `min uptime ${formatMs(spec.minUptimeMs)}`,
  ];
  if (spec.stopExitCodes.length > 0) parts.push(`not on exit ${spec.stopExitCodes.join(', ')}`);
  return `on (${parts.join(', ')})`;
}

function isoLocal(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
