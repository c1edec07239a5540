import { describe, expect, it } from 'vitest';
import { processEventsOf } from '../../src/events/process-events.js';
import type { ProcessRecord } from '../../src/process-record.js';
import type { StatusEvent } from '../../src/process-status.js';

/** The fields of a record that processEventsOf reads. */
function recordOf(
  fields: Partial<ProcessRecord> & { maxMemoryBytes?: number; type?: 'service' | 'job' },
): ProcessRecord {
  const { maxMemoryBytes, type = 'service', ...rest } = fields;
  return {
    pid: 42,
    exitCode: null,
    signal: null,
    restarts: 0,
    restartAt: null,
    lastExitReason: null,
    memory: 0,
    app: { spec: { name: 'api', type, maxMemoryBytes } },
    ...rest,
  } as unknown as ProcessRecord;
}

function change(
  from: StatusEvent['from'],
  to: StatusEvent['to'],
  reason: StatusEvent['reason'] = null,
): StatusEvent {
  return { kind: 'status', id: 0, name: 'api', from, to, reason, at: 1000 };
}

const kinds = (events: { kind: string }[]) => events.map((event) => event.kind);

describe('processEventsOf', () => {
  it('tells a crash: exited (warning) and restarting with the delay', () => {
    const record = recordOf({ exitCode: 1, restartAt: 1500, restarts: 2 });
    const events = processEventsOf(change('online', 'waiting-restart', 'crash'), record);
    expect(kinds(events)).toEqual(['process.exited', 'process.restarting']);
    expect(events[0]).toMatchObject({
      severity: 'warning',
      fields: { code: 1, signal: null, reason: 'crash' },
    });
    expect(events[1]!.fields).toEqual({ delay_ms: 500, restarts: 2, reason: 'crash' });
  });

  it('tells a restart by Velos as exited, restarting now and started (the cause is told where it is decided)', () => {
    const record = recordOf({
      signal: 'SIGTERM',
      memory: 300 * 1024 * 1024,
      maxMemoryBytes: 200 * 1024 * 1024,
    });
    expect(processEventsOf(change('online', 'stopping', 'memory'), record)).toEqual([]);
    record.lastExitReason = 'memory';
    const events = processEventsOf(change('stopping', 'starting'), record);
    expect(kinds(events)).toEqual(['process.exited', 'process.restarting', 'process.started']);
    expect(events[0]!.fields).toEqual({ code: null, signal: 'SIGTERM', reason: 'memory' });
    expect(events[1]!.fields).toMatchObject({ delay_ms: 0, reason: 'memory' });
  });

  it('tells the end of a re-adopted run as an exit of unknown code, not a crash (SUP-13)', () => {
    const record = recordOf({ restartAt: 1000, restarts: 1 });
    const restarted = processEventsOf(change('online', 'waiting-restart', 'unknown'), record);
    expect(kinds(restarted)).toEqual(['process.exited', 'process.restarting']);
    expect(restarted[0]).toMatchObject({
      severity: 'warning',
      message: "api (id 0) exited with an unknown code (re-adopted: not this daemon's child)",
      fields: { code: null, signal: null, reason: 'unknown' },
    });
    expect(restarted[1]!.fields).toMatchObject({ reason: 'unknown' });
    const stopped = processEventsOf(change('online', 'stopped', 'unknown'), recordOf({}));
    expect(kinds(stopped)).toEqual(['process.exited', 'process.stopped']);
    expect(JSON.stringify(stopped)).not.toMatch(/crash/);
  });

  it('tells a cluster worker ended by its primary as info: the primary_exited event is the warning (SUP-5)', () => {
    const record = recordOf({ restartAt: 1000, restarts: 1 });
    const events = processEventsOf(change('online', 'waiting-restart', 'primary-exit'), record);
    expect(kinds(events)).toEqual(['process.exited', 'process.restarting']);
    expect(events[0]).toMatchObject({
      severity: 'info',
      message: 'api (id 0) exited with its cluster primary (primary-exit)',
      fields: { code: null, signal: null, reason: 'primary-exit' },
    });
    expect(JSON.stringify(events)).not.toMatch(/crash/);
  });

  it('tells a user stop as stopped only', () => {
    expect(kinds(processEventsOf(change('online', 'stopping', 'user'), recordOf({})))).toEqual([]);
    expect(kinds(processEventsOf(change('stopping', 'stopped', 'user'), recordOf({})))).toEqual([
      'process.stopped',
    ]);
  });

  it('gives nothing for a job (its runs are job events)', () => {
    expect(processEventsOf(change('online', 'scheduled', 'exit'), recordOf({ type: 'job' }))).toEqual([]);
  });
});
