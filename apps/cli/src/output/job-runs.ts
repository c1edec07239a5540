import type { JobRun } from '@velos/core';
import type { NamedRun } from '@velos/core/ai';

export { type AiRun, type NamedRun, toAiRuns } from '@velos/core/ai';

import type { Colors } from './colors.js';
import { type Cell, type Column, renderTable } from './table.js';
import { formatMs } from './units.js';

/** The `velos runs` table, newest first; the name column appears when the runs are of several jobs. */
export function renderRunTable(runs: NamedRun[], colors: Colors): string {
  if (runs.length === 0) return 'no runs yet';
  const showName = new Set(runs.map((run) => run.name)).size > 1;
  const hasNotes = runs.some((run) => run.outcome === 'skipped');
  const columns: Column[] = [
    { header: 'run', align: 'right' },
    ...(showName ? [{ header: 'name' }] : []),
    { header: 'started' },
    { header: 'duration', align: 'right' },
    { header: 'exit', align: 'right' },
    { header: 'outcome' },
    { header: 'trigger' },
    { header: 'pid', align: 'right' },
    ...(hasNotes ? [{ header: 'note' }] : []),
  ];
  const rows = runs.map((run): Cell[] => [
    { text: String(run.seq) },
    ...(showName ? [{ text: run.name, paint: colors.bold }] : []),
    { text: localTime(run.startedAt) },
    { text: run.endedAt === null || run.outcome === 'skipped' ? '-' : formatMs(run.endedAt - run.startedAt) },
    { text: exitText(run) },
    { text: run.outcome, paint: outcomePaint(run.outcome, colors) },
    { text: run.forced ? `${run.trigger} (forced)` : run.trigger },
    { text: run.pid === null ? '-' : String(run.pid) },
    ...(hasNotes ? [{ text: noteText(run) }] : []),
  ]);
  return renderTable(columns, rows, colors.dim);
}

/** The paint of an outcome: green ok, yellow running, stopped, interrupted or unknown, red anything else. */
export function outcomePaint(outcome: JobRun['outcome'], colors: Colors): (text: string) => string {
  if (outcome === 'ok') return colors.green;
  if (
    outcome === 'running' ||
    outcome === 'stopped' ||
    outcome === 'interrupted' ||
    outcome === 'unknown' ||
    outcome === 'skipped'
  )
    return colors.yellow;
  return colors.red;
}

/** Why a run was skipped, and how many due times in a row when more than one (`…, 12 times until 03:12:00`). */
function noteText(run: JobRun): string {
  if (run.outcome !== 'skipped') return '';
  const skips = run.skips ?? 1;
  const times =
    skips > 1 && run.endedAt !== null ? `, ${skips} times until ${localTime(run.endedAt).slice(11)}` : '';
  return `${run.reason ?? ''}${times}`;
}

function exitText(run: JobRun): string {
  if (run.exitCode !== null) return String(run.exitCode);
  return run.signal ?? (run.outcome === 'unknown' ? '?' : '-');
}

function localTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
