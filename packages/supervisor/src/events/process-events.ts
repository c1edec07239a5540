import type { EventInput, ProcessStatus } from '@velos/core';
import type { ProcessRecord } from '../process-record.js';
import type { StatusEvent } from '../process-status.js';

/** Statuses an online process goes to when its program ends on its own. */
const AFTER_EXIT: ReadonlySet<ProcessStatus> = new Set(['stopped', 'errored', 'waiting-restart']);
/**
 * Exit reasons that are routine (asked for or planned), or the consequence of a failure told by an
 * event of its own (`primary-exit`: the cluster primary's `process.primary_exited` warning, once for
 * all its workers); the others are warnings.
 */
const INFO_EXITS: ReadonlySet<string> = new Set(['exit', 'user', 'reload', 'cron', 'watch', 'primary-exit']);

/**
 * OBS-2: the bus events one status change of a process stands for: `process.started`, `online`,
 * `exited` (code, signal, reason), `restarting` (delay), `errored`, `stopped`. Why Velos stops a run
 * to restart it (`memory_limit`, `watchdog`, `watch_restart`) is told by the module that decides it,
 * and job runs by the job scheduler (`job.started`/`job.finished`), so a job's changes give none here.
 */
export function processEventsOf(change: StatusEvent, record: ProcessRecord | undefined): EventInput[] {
  if (record?.app.spec.type === 'job') return [];
  const base = { app: change.name, id: change.id, at: change.at };
  const label = `${change.name} (id ${change.id})`;
  const events: EventInput[] = [];
  const reason = change.reason ?? undefined;
  if (change.from === 'stopping' && change.to === 'starting') {
    // a restart by Velos (user, memory, watch, watchdog, cron, reload): the run was stopped, a new one starts
    const why = record?.lastExitReason ?? 'user';
    events.push(exitedEvent(base, label, record, why));
    events.push({
      ...base,
      kind: 'process.restarting',
      severity: 'info',
      message: `${label} restarting now (${why})`,
      fields: { delay_ms: 0, restarts: record?.restarts ?? 0, reason: why },
    });
  }
  if (change.to === 'starting') {
    events.push({
      ...base,
      kind: 'process.started',
      severity: 'info',
      message: `${label} starting`,
      fields: reason ? { reason } : undefined,
    });
  } else if (change.to === 'online') {
    events.push({
      ...base,
      kind: 'process.online',
      severity: 'info',
      message: `${label} online, pid ${record?.pid ?? '?'}`,
      fields: { pid: record?.pid ?? null },
    });
  }
  if (change.from === 'online' && AFTER_EXIT.has(change.to)) {
    events.push(exitedEvent(base, label, record, reason ?? null));
  }
  if (change.to === 'waiting-restart') {
    const delayMs = record?.restartAt ? Math.max(0, record.restartAt - change.at) : 0;
    events.push({
      ...base,
      kind: 'process.restarting',
      severity: 'info',
      message: `${label} restarting in ${delayMs} ms`,
      fields: { delay_ms: delayMs, restarts: record?.restarts ?? 0, reason: reason ?? null },
    });
  } else if (change.to === 'errored') {
    events.push({
      ...base,
      kind: 'process.errored',
      severity: 'error',
      message: `${label} errored${reason ? ` (${reason})` : ''}: not restarted again`,
      fields: reason ? { reason } : undefined,
    });
  } else if (change.to === 'stopped' && change.from !== 'stopped') {
    events.push({
      ...base,
      kind: 'process.stopped',
      severity: 'info',
      message: `${label} stopped${reason ? ` (${reason})` : ''}`,
      fields: reason ? { reason } : undefined,
    });
  }
  return events;
}

type Base = Pick<EventInput, 'app' | 'id' | 'at'>;

function exitedEvent(
  base: Base,
  label: string,
  record: ProcessRecord | undefined,
  reason: string | null,
): EventInput {
  const code = record?.exitCode ?? null;
  const signal = record?.signal ?? null;
  // a re-adopted run ended: whether it exited cleanly or crashed cannot be known (SUP-13)
  const how =
    reason === 'unknown'
      ? "an unknown code (re-adopted: not this daemon's child)"
      : reason === 'primary-exit'
        ? 'its cluster primary (primary-exit)'
        : `${signal ? `signal ${signal}` : `code ${code}`}${reason ? ` (${reason})` : ''}`;
  return {
    ...base,
    kind: 'process.exited',
    severity: reason === null || INFO_EXITS.has(reason) ? 'info' : 'warning',
    message: `${label} exited with ${how}`,
    fields: { code, signal, reason },
  };
}
