import {
  formatBytes,
  formatDuration,
  type HealthInfo,
  type ProcessInfo,
  type ProcessStatus,
} from '@velos/core';
import { type AiProcess, hasRunningProcess, hasWatchMode, isSampled, toAiProcess } from '@velos/core/ai';
import type { Colors } from './colors.js';
import { fitToWidth } from './display-width.js';
import { type Cell, type Column, type FitStep, renderTable } from './table.js';
import { formatCpu } from './units.js';

export type { AiProcess };
export { toAiProcess };

/**
 * How the `velos list` table fits a narrow terminal, least important first: long names and job
 * summaries cut (with an ellipsis); mode, watch, job and namespace dropped; health cut; pid, uptime,
 * restarts, health, memory and cpu dropped, names cut further on the way. Id, name and status stay.
 */
const PROCESS_TABLE_FIT_STEPS: readonly FitStep[] = [
  { cut: 'name', width: 24 },
  { cut: 'job', width: 16 },
  { drop: 'mode' },
  { drop: 'watch' },
  { drop: 'job' },
  { cut: 'namespace', width: 12 },
  { drop: 'namespace' },
  { cut: 'health', width: 9 },
  { cut: 'name', width: 16 },
  { drop: 'pid' },
  { drop: 'uptime' },
  { drop: 'restarts' },
  { cut: 'name', width: 10 },
  { drop: 'health' },
  { drop: 'memory' },
  { drop: 'cpu' },
  { cut: 'name', width: 4 },
];

/** What a text view of processes says when a target (`all`) selects none. */
export const NO_PROCESSES = 'no processes; start one with: velos start <script>';

/**
 * The `velos list` table: one row per process, status coloured when `colors` paint. Columns for
 * namespace, mode, health, job and watch appear only when some process uses them. With `width` (a
 * terminal's columns) the table fits it (`PROCESS_TABLE_FIT_STEPS`); without, it is as wide as it needs.
 */
export function renderProcessTable(
  processes: ProcessInfo[],
  colors: Colors,
  now = Date.now(),
  width?: number,
): string {
  if (processes.length === 0) return NO_PROCESSES;
  const showNamespace = processes.some((p) => p.namespace !== 'default');
  const showMode = processes.some((p) => p.execMode === 'cluster');
  const showHealth = processes.some((p) => p.health !== undefined);
  const showJob = processes.some((p) => p.job !== undefined);
  const showWatch = processes.some(hasWatchMode);
  const columns: Column[] = [
    { header: 'id', align: 'right' },
    { header: 'name' },
    ...(showNamespace ? [{ header: 'namespace' }] : []),
    ...(showMode ? [{ header: 'mode' }] : []),
    { header: 'pid', align: 'right' },
    { header: 'status' },
    ...(showHealth ? [{ header: 'health' }] : []),
    { header: 'cpu', align: 'right' },
    { header: 'memory', align: 'right' },
    { header: 'uptime', align: 'right' },
    { header: 'restarts', align: 'right' },
    ...(showJob ? [{ header: 'job' }] : []),
    ...(showWatch ? [{ header: 'watch' }] : []),
  ];
  const rows = processes.map((p): Cell[] => [
    { text: String(p.id) },
    { text: p.name, paint: colors.bold },
    ...(showNamespace ? [{ text: p.namespace }] : []),
    ...(showMode ? [{ text: p.execMode }] : []),
    { text: p.pid === null ? '-' : String(p.pid) },
    { text: statusText(p), paint: statusPaint(p.status, colors) },
    ...(showHealth ? [healthCell(p.health, colors)] : []),
    // `-` until the monitor's first sample of the run (every 2 s), as the dashboard and --ai leave them out
    { text: isSampled(p) ? formatCpu(p.cpu) : '-' },
    { text: isSampled(p) ? formatBytes(p.memory) : '-' },
    { text: hasRunningProcess(p) ? formatDuration(p.uptime) : '-' },
    { text: String(p.restarts), paint: p.restarts > 0 ? colors.yellow : undefined },
    ...(showJob ? [{ text: p.job ? jobSummary(p.job, now) : '-' }] : []),
    ...(showWatch ? [watchCell(p, colors)] : []),
  ]);
  const fit = width === undefined ? undefined : { width, steps: PROCESS_TABLE_FIT_STEPS };
  const notes = waitNotes(processes).map((note) =>
    colors.dim(width === undefined ? note : fitNote(note, width)),
  );
  return [renderTable(columns, rows, colors.dim, fit), ...notes].join('\n');
}

/** The status word; `waiting` for a process held by its `depends_on` (SUP-12), which the daemon shows as `starting`. */
function statusText(p: ProcessInfo): string {
  if (p.waitingFor?.length) return 'waiting';
  return p.adopted ? `${p.status} (adopted)` : p.status;
}

/** Waiting processes named in notes under the table; past this many, a last line counts the others. */
const WAIT_NOTES = 5;

/**
 * SUP-12: a line under the table for each app with processes in `waiting`, saying what it waits for and
 * where that stands, as describe's `waiting for` row does: the table stays as narrow as it was. The
 * instances of one app waiting for the same share one line (`web (2 instances) waits for …`).
 * @example `web waits for db (healthy): online, not ready (readiness: HTTP 503)`
 */
function waitNotes(processes: ProcessInfo[]): string[] {
  const counts = new Map<string, { name: string; unmet: string; count: number }>();
  for (const p of processes) {
    if (!p.waitingFor?.length) continue;
    const unmet = p.waitingFor.map((w) => `${w.name} (${w.condition}): ${w.state}`).join('; ');
    const key = `${p.name}\0${unmet}`;
    const seen = counts.get(key);
    if (seen) seen.count += 1;
    else counts.set(key, { name: p.name, unmet, count: 1 });
  }
  const waiting = [...counts.values()];
  const shown = waiting.length > WAIT_NOTES ? waiting.slice(0, WAIT_NOTES - 1) : waiting;
  const notes = shown.map(
    ({ name, unmet, count }) => `${name}${count > 1 ? ` (${count} instances)` : ''} waits for ${unmet}`,
  );
  const more = waiting.length - shown.length;
  if (more > 0)
    notes.push(`and ${more} more waiting for their depends_on (velos describe <name> says for what)`);
  return notes;
}

/** A note cut to the terminal's width (`…` marking the cut), so that it does not wrap under the table. */
function fitNote(note: string, width: number): string {
  return fitToWidth(note, width).trimEnd();
}

/** The `--ai` form of a process list. */
export function toAiProcessList(processes: ProcessInfo[]): AiProcess[] {
  return processes.map((p) => toAiProcess(p));
}

/** The paint of a status word: green online, red errored, yellow in between, dim stopped or scheduled. */
export function statusPaint(status: ProcessStatus, colors: Colors): (text: string) => string {
  if (status === 'online') return colors.green;
  if (status === 'errored') return colors.red;
  if (status === 'stopped' || status === 'scheduled') return colors.dim;
  return colors.yellow;
}

/** A health state as a table shows it: `healthy`, `degraded`, `degraded, not ready`, `unhealthy`, `unknown`. */
export function healthText(health: HealthInfo): string {
  return health.state === 'degraded' && !health.ready ? 'degraded, not ready' : health.state;
}

/** The paint of a health state: green healthy, yellow degraded, red unhealthy, dim unknown. */
export function healthPaint(health: HealthInfo, colors: Colors): (text: string) => string {
  if (health.state === 'healthy') return colors.green;
  if (health.state === 'unhealthy') return colors.red;
  if (health.state === 'degraded') return colors.yellow;
  return colors.dim;
}

/** A job's runs in a few words: `3 runs, last ok, next in 4m`. */
export function jobSummary(job: NonNullable<ProcessInfo['job']>, now: number): string {
  const parts = [job.runs === 1 ? '1 run' : `${job.runs} runs`];
  if (job.lastRun) parts.push(`last ${job.lastRun.outcome}`);
  if (job.skipped > 0) parts.push(`${job.skipped} skipped`);
  if (job.nextRunAt !== null) parts.push(`next in ${formatDuration(Math.max(0, job.nextRunAt - now))}`);
  return parts.join(', ');
}

function healthCell(health: HealthInfo | undefined, colors: Colors): Cell {
  if (!health) return { text: '-' };
  return { text: healthText(health), paint: healthPaint(health, colors) };
}

/** SUP-7: on for an app with watch mode, failed (red) when a watched path could not be watched. */
function watchCell(p: ProcessInfo, colors: Colors): Cell {
  if (p.watchError !== undefined) return { text: 'failed', paint: colors.red };
  return { text: hasWatchMode(p) ? 'on' : '-' };
}
