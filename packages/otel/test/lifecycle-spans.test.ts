import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { VelosEvent } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createLifecycleSpans, JOB_SPAN, type ProcessFacts, RUN_SPAN } from '../src/lifecycle-spans.js';

function setup(
  facts: ProcessFacts[] = [{ id: 3, name: 'api', instance: 1, namespace: 'web', status: 'online', pid: 0 }],
) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = createLifecycleSpans(provider.getTracer('test'), async () => facts);
  return { exporter, spans };
}

/** Epoch ms of the test's events (the SDK reads small numbers as performance.now() times). */
const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => T0 + ms;
const hr = (ms: number) => [Math.floor((T0 + ms) / 1000), ((T0 + ms) % 1000) * 1e6];

let seq = 0;
function event(
  kind: string,
  atMs: number,
  fields?: VelosEvent['fields'],
  id: number | undefined = 3,
): VelosEvent {
  seq += 1;
  return {
    seq,
    at: T0 + atMs,
    kind,
    severity: 'info',
    app: 'api',
    ...(id === undefined ? {} : { id }),
    message: kind,
    ...(fields ? { fields } : {}),
  };
}

describe('createLifecycleSpans', () => {
  it('makes a span per run, from start to exit, with pid, labels, exit code and reason, and links runs', async () => {
    // as the daemon sends them: a restart's process.started has no reason, its process.restarting has
    const { exporter, spans } = setup();
    await spans.handle([
      event('process.started', 1000, { reason: 'start' }),
      event('process.online', 1010, { pid: 41 }),
      event('process.health', 1500, { from: 'unknown', to: 'healthy' }),
      event('process.exited', 2000, { code: 1, signal: null, reason: 'crash' }),
      event('process.restarting', 2001, { delay_ms: 100, restarts: 0, reason: 'crash' }),
      event('process.started', 2100),
      event('process.online', 2110, { pid: 42 }),
      event('process.exited', 3000, { code: null, signal: 'SIGTERM', reason: 'user' }),
    ]);
    const finished = exporter.getFinishedSpans();
    const runs = finished.filter((s) => s.name === RUN_SPAN);
    expect(runs).toHaveLength(2);
    const [first, second] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(first.attributes).toMatchObject({
      'velos.process.name': 'api',
      'velos.process.id': 3,
      'velos.process.instance': 1,
      'velos.process.namespace': 'web',
      'process.pid': 41,
      'process.exit.code': 1,
      'velos.process.exit.reason': 'crash',
      'velos.process.restarts': 0,
      'velos.process.start_reason': 'start',
    });
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(first.startTime).toEqual(hr(1000));
    expect(first.endTime).toEqual(hr(2000));
    expect(first.events.map((e) => e.name)).toEqual(['process.online', 'process.health']);
    expect(first.events[1]?.attributes).toMatchObject({ 'velos.event.to': 'healthy' });
    expect(second.attributes).toMatchObject({
      'process.pid': 42,
      'velos.process.restarts': 1,
      'velos.process.start_reason': 'crash',
      'velos.process.exit.signal': 'SIGTERM',
    });
    expect(second.status.code).toBe(SpanStatusCode.UNSET);
    expect(second.links.map((l) => l.context.spanId)).toEqual([first.spanContext().spanId]);
    const restarting = finished.find((s) => s.name === 'process.restarting');
    expect(restarting?.parentSpanContext?.spanId).toBe(first.spanContext().spanId);
    expect(restarting?.attributes).toMatchObject({ 'velos.event.delay_ms': 100 });
  });

  it('leaves a run ended with its cluster primary unset, the primary’s exit the one error, linked (SUP-5)', async () => {
    const facts: ProcessFacts[] = [0, 1].map((id) => ({
      id,
      name: 'api',
      instance: id,
      namespace: 'default',
      status: 'online',
      pid: 0,
    }));
    const { exporter, spans } = setup(facts);
    const exit = { code: null, signal: null, reason: 'primary-exit' };
    await spans.handle([
      event('process.started', 1000, { reason: 'start' }, 0),
      event('process.started', 1000, { reason: 'start' }, 1),
      {
        ...event(
          'process.primary_exited',
          2000,
          { pid: 9, code: null, signal: 'SIGKILL', workers: 2 },
          undefined,
        ),
        severity: 'warning',
      },
      event('process.exited', 2001, exit, 0),
      event('process.exited', 2001, exit, 1),
    ]);
    const finished = exporter.getFinishedSpans();
    const primary = finished.find((s) => s.name === 'process.primary_exited');
    expect(primary?.status.code).toBe(SpanStatusCode.ERROR);
    expect(primary?.attributes).toMatchObject({ 'velos.process.name': 'api', 'velos.event.workers': 2 });
    const runs = finished.filter((s) => s.name === RUN_SPAN);
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      // not the worker's failure: unset, as a user stop, the reason on the span
      expect(run.status.code).toBe(SpanStatusCode.UNSET);
      expect(run.attributes['velos.process.exit.reason']).toBe('primary-exit');
      expect(run.links.map((l) => l.context.spanId)).toEqual([primary?.spanContext().spanId]);
    }
    // a worker crashing on its own is still an error, with no link to the primary
    await spans.handle([
      event('process.started', 3000, { reason: 'primary-exit' }, 0),
      event('process.exited', 3500, { code: 1, signal: null, reason: 'crash' }, 0),
    ]);
    const crash = exporter.getFinishedSpans().filter((s) => s.name === RUN_SPAN)[2];
    expect(crash?.status.code).toBe(SpanStatusCode.ERROR);
    expect(crash?.links.map((l) => l.context.spanId)).toEqual([runs[0]?.spanContext().spanId]);
    // once the app is deleted, an app of the same name made later links to no old primary's exit
    await spans.handle([event('process.deleted', 4000, {}, 0), event('process.deleted', 4000, {}, 1)]);
    spans.noteSnapshot([{ ...(facts[0] as ProcessFacts), id: 7 }], at(5000));
    await spans.handle([
      event('process.started', 5000, { reason: 'start' }, 7),
      event('process.exited', 5500, exit, 7),
    ]);
    const later = exporter.getFinishedSpans().filter((s) => s.name === RUN_SPAN)[3];
    expect(later?.attributes['velos.process.id']).toBe(7);
    expect(later?.links).toEqual([]);
  });

  it('ends a run on errored (a spawn error) and keeps an open run unexported on close', async () => {
    const { exporter, spans } = setup();
    await spans.handle([
      event('process.started', 1000),
      event('process.errored', 1001, { reason: 'spawn error' }),
    ]);
    const errored = exporter.getFinishedSpans().find((s) => s.name === RUN_SPAN);
    expect(errored?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'spawn error' });
    await spans.handle([event('process.started', 2000), event('process.online', 2001, { pid: 7 })]);
    spans.close();
    expect(exporter.getFinishedSpans().filter((s) => s.name === RUN_SPAN)).toHaveLength(1);
  });

  it('opens runs already going from a snapshot, back-dated by their uptime', async () => {
    const { exporter, spans } = setup();
    spans.noteSnapshot(
      [
        {
          id: 3,
          name: 'api',
          instance: 0,
          namespace: 'default',
          status: 'online',
          pid: 9,
          uptimeSeconds: 5,
          restarts: 2,
          memoryBytes: 1234,
          cpuPercent: 1.5,
        },
      ],
      at(10_000),
      true,
    );
    await spans.handle([event('process.exited', 12_000, { code: 0, signal: null, reason: 'exit' })]);
    const [run] = exporter.getFinishedSpans();
    expect(run?.startTime).toEqual(hr(5000));
    expect(run?.attributes).toMatchObject({
      'process.pid': 9,
      'velos.run.resumed': true,
      'velos.process.restarts': 2,
      'velos.process.memory_bytes': 1234,
      'velos.process.cpu_percent': 1.5,
    });
  });

  it('makes a span per job run and a short span for other events', async () => {
    const { exporter, spans } = setup();
    await spans.handle([
      event('job.started', 1000, { run: 4, trigger: 'schedule', pid: 5 }),
      event('job.finished', 1500, { run: 4, outcome: 'failed', duration_ms: 500, exit_code: 2 }),
      { ...event('config.applied', 1600, { added: 1 }, undefined), app: undefined },
      { ...event('alert.firing', 1700, { rule: 'storm' }, undefined), severity: 'error' },
    ]);
    const [job, config, alert] = exporter.getFinishedSpans();
    expect(job?.name).toBe(JOB_SPAN);
    expect(job?.attributes).toMatchObject({ 'velos.job.outcome': 'failed', 'velos.job.exit_code': 2 });
    expect(job?.status.code).toBe(SpanStatusCode.ERROR);
    expect(config?.name).toBe('config.applied');
    expect(config?.attributes).toMatchObject({ 'velos.event.added': 1 });
    expect(alert?.status.code).toBe(SpanStatusCode.ERROR);
  });
});
