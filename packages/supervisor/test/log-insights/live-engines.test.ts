import type { AppSpec, EventInput, ProcessStatus } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createLiveEngines } from '../../src/log-insights/live-engines.js';
import type { LineBatch } from '../../src/logs/line-batch.js';
import type { StatusEvent } from '../../src/process-status.js';
import { createEmitter } from '../../src/typed-emitter.js';
import { appSpec, waitFor } from '../helpers.js';

const MINUTE = 60_000;
const T0 = 1_000_000 * MINUTE;

/** A batch of `lines` lines at `ts`, the first `errors` of them error lines. */
function batchOf(ts: number, lines: number, errors: number): LineBatch {
  const text = Array.from({ length: lines }, (_, i) =>
    i < errors ? `ERROR payment failed for order ${i}: card declined\n` : `GET /api/users/${i} 200 12ms\n`,
  ).join('');
  return { data: Buffer.from(text), lines, ts, stream: 'out', pid: 1 };
}

describe('createLiveEngines', () => {
  it('tells an app’s engine when it stops and runs again: a steady error rate after a long stop is no burst', async () => {
    const events: EventInput[] = [];
    const statusEvents = createEmitter<StatusEvent>();
    let isRunning = true;
    const engines = createLiveEngines({
      publish: (event) => events.push(event),
      log: () => undefined,
      runs: { statusEvents, runningProcesses: () => (isRunning ? 1 : 0) },
    });
    const status = (to: ProcessStatus, at: number) => {
      isRunning = to === 'starting';
      statusEvents.emit({ kind: 'status', id: 0, name: 'app', from: 'online', to, reason: 'user', at });
    };
    try {
      // another app's first lines load the engine module
      const probe = engines.sinkFor({ spec: appSpec('/nonexistent', { name: 'probe' }) }, 1)!;
      await waitFor(() => probe(batchOf(Date.now(), 1, 1)) === 1, { what: 'the live engine module' });
      const sink = engines.sinkFor({ spec: appSpec('/nonexistent', { name: 'app' }) }, 0)!;
      const feed = (from: number, to: number) => {
        // 100 lines a second, 10 of them errors (100 in every 10 s)
        for (let ts = from; ts < to; ts += 100) sink(batchOf(ts, 10, 1));
      };
      feed(T0, T0 + 5 * MINUTE);
      status('stopped', T0 + 5 * MINUTE);
      status('starting', T0 + 55 * MINUTE);
      feed(T0 + 55 * MINUTE, T0 + 57 * MINUTE);
      expect(events.filter((event) => event.kind === 'log.error_burst')).toEqual([]);
    } finally {
      engines.close();
    }
  });

  it("classifies with the app's log_rules, read from its current spec at each batch (a reload applies in place)", async () => {
    const engines = createLiveEngines({ publish: () => undefined, log: () => undefined });
    try {
      const probe = engines.sinkFor({ spec: appSpec('/nonexistent', { name: 'probe-rules' }) }, 1)!;
      await waitFor(() => probe(batchOf(Date.now(), 1, 1)) === 1, { what: 'the live engine module' });
      const entry: { spec: AppSpec } = {
        spec: {
          ...appSpec('/nonexistent', { name: 'ruled' }),
          logRules: [
            { match: 'card declined', level: 'info' },
            { match: '^GET /api/users/3 ', level: 'error' },
          ],
        },
      };
      const sink = engines.sinkFor(entry, 0)!;
      sink(batchOf(Date.now(), 1, 0));
      // the 2 "ERROR … card declined" lines are info by a user rule, the GET of user 3 an error
      expect(sink(batchOf(Date.now(), 5, 2))).toBe(1);
      entry.spec = { ...entry.spec, logRules: [{ match: 'GET /api/users/4 ', level: 'fatal' }] };
      expect(sink(batchOf(Date.now(), 5, 2))).toBe(3);
      const { logRules: _, ...plain } = entry.spec;
      entry.spec = plain;
      expect(sink(batchOf(Date.now(), 5, 2))).toBe(2);
    } finally {
      engines.close();
    }
  });

  it('gives an engine created after its app stopped the state it would have heard: the stop is left out', async () => {
    const events: EventInput[] = [];
    const statusEvents = createEmitter<StatusEvent>();
    let isRunning = false;
    const engines = createLiveEngines({
      publish: (event) => events.push(event),
      log: () => undefined,
      runs: { statusEvents, runningProcesses: () => (isRunning ? 1 : 0) },
    });
    const status = (to: ProcessStatus, at: number) => {
      isRunning = to === 'starting';
      statusEvents.emit({ kind: 'status', id: 0, name: 'late', from: 'online', to, reason: 'exit', at });
    };
    try {
      const probe = engines.sinkFor({ spec: appSpec('/nonexistent', { name: 'probe-late' }) }, 1)!;
      await waitFor(() => probe(batchOf(Date.now(), 1, 1)) === 1, { what: 'the live engine module' });
      // the pipeline opens before the process starts; the app logs nothing before it exits
      const sink = engines.sinkFor({ spec: appSpec('/nonexistent', { name: 'late' }) }, 0)!;
      status('starting', T0);
      status('stopped', T0 + 1000);
      // its last output drained after the exit: the engine is created now, with the app stopped
      sink(batchOf(T0 + 1050, 10, 1));
      status('starting', T0 + 50 * MINUTE);
      for (let ts = T0 + 50 * MINUTE; ts < T0 + 52 * MINUTE; ts += 100) sink(batchOf(ts, 10, 1));
      expect(events.filter((event) => event.kind === 'log.error_burst')).toEqual([]);
    } finally {
      engines.close();
    }
  });

  it('gives an engine created after its app’s instances started how many run: a flood of the one left is a burst', async () => {
    const events: EventInput[] = [];
    const statusEvents = createEmitter<StatusEvent>();
    const running = new Set<number>();
    const engines = createLiveEngines({
      publish: (event) => events.push(event),
      log: () => undefined,
      runs: { statusEvents, runningProcesses: () => running.size },
    });
    const status = (id: number, to: ProcessStatus, at: number) => {
      if (to === 'starting') running.add(id);
      else running.delete(id);
      statusEvents.emit({ kind: 'status', id, name: 'six', from: 'online', to, reason: 'user', at });
    };
    try {
      const probe = engines.sinkFor({ spec: appSpec('/nonexistent', { name: 'probe-six' }) }, 1)!;
      await waitFor(() => probe(batchOf(Date.now(), 1, 1)) === 1, { what: 'the live engine module' });
      const sink = engines.sinkFor({ spec: appSpec('/nonexistent', { name: 'six' }) }, 0)!;
      // six instances start before the app's first line; one error a second each
      for (let id = 0; id < 6; id += 1) status(id, 'starting', T0 - 1000);
      for (let ts = T0; ts < T0 + 2 * MINUTE; ts += 1000) sink(batchOf(ts, 60, 6));
      // five stop; the one left logs its error a second, then 60 errors at once
      for (let id = 1; id < 6; id += 1) status(id, 'stopped', T0 + 2 * MINUTE);
      for (let ts = T0 + 2 * MINUTE; ts < T0 + 2 * MINUTE + 30_000; ts += 1000) sink(batchOf(ts, 10, 1));
      expect(events.filter((event) => event.kind === 'log.error_burst')).toEqual([]);
      sink(batchOf(T0 + 2 * MINUTE + 30_000, 60, 60));
      expect(events.filter((event) => event.kind === 'log.error_burst')).toHaveLength(1);
    } finally {
      engines.close();
    }
  });
});
