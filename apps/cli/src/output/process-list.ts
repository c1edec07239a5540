import { formatBytes, formatDuration, type ProcessInfo, type ProcessStatus } from '@velos/core';
import type { Colors } from './colors.js';
import { type Cell, type Column, renderTable } from './table.js';
import { formatCpu, roundCpu, shortStatus } from './units.js';

/** One process the `--ai` way: short keys, short values, nothing that is empty. */
export interface AiProcess {
  i: number;
  n: string;
  ns?: string;
  s: string;
  p?: number;
  c: number;
  m: string;
  u?: string;
  r: number;
}

/** The `velos list` table: one row per process, status coloured when `colors` paint. */
export function renderProcessTable(processes: ProcessInfo[], colors: Colors): string {
  if (processes.length === 0) return 'no processes; start one with: velos start <script>';
  const showNamespace = processes.some((p) => p.namespace !== 'default');
  const columns: Column[] = [
    { header: 'id', align: 'right' },
    { header: 'name' },
    ...(showNamespace ? [{ header: 'namespace' }] : []),
    { header: 'pid', align: 'right' },
    { header: 'status' },
    { header: 'cpu', align: 'right' },
    { header: 'memory', align: 'right' },
    { header: 'uptime', align: 'right' },
    { header: 'restarts', align: 'right' },
  ];
  const rows = processes.map((p): Cell[] => [
    { text: String(p.id) },
    { text: p.name, paint: colors.bold },
    ...(showNamespace ? [{ text: p.namespace }] : []),
    { text: p.pid === null ? '-' : String(p.pid) },
    { text: p.status, paint: statusPaint(p.status, colors) },
    { text: isRunning(p) ? formatCpu(p.cpu) : '-' },
    { text: isRunning(p) ? formatBytes(p.memory) : '-' },
    { text: isRunning(p) ? formatDuration(p.uptime) : '-' },
    { text: String(p.restarts), paint: p.restarts > 0 ? colors.yellow : undefined },
  ]);
  return renderTable(columns, rows, colors.dim);
}

/** The `--ai` form of a process list. */
export function toAiProcessList(processes: ProcessInfo[]): AiProcess[] {
  return processes.map(toAiProcess);
}

/** The `--ai` form of one process; keys in the order i, n, ns, s, p, c, m, u, r. */
export function toAiProcess(p: ProcessInfo): AiProcess {
  const running = isRunning(p);
  return {
    i: p.id,
    n: p.name,
    ...(p.namespace === 'default' ? {} : { ns: p.namespace }),
    s: shortStatus(p.status),
    ...(p.pid === null ? {} : { p: p.pid }),
    c: roundCpu(p.cpu),
    m: formatBytes(p.memory),
    ...(running ? { u: formatDuration(p.uptime) } : {}),
    r: p.restarts,
  };
}

/** The paint of a status word: green online, red errored, yellow in between, dim stopped. */
export function statusPaint(status: ProcessStatus, colors: Colors): (text: string) => string {
  if (status === 'online') return colors.green;
  if (status === 'errored') return colors.red;
  if (status === 'stopped') return colors.dim;
  return colors.yellow;
}

function isRunning(p: ProcessInfo): boolean {
  return p.pid !== null && (p.status === 'online' || p.status === 'starting' || p.status === 'stopping');
}
