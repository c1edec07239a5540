import {
  type Attributes,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { EventFieldValue, ProcessMetrics, VelosEvent } from '@velos/core';

/** Name of the span of one run of a process, from `process.started` to its exit. */
export const RUN_SPAN = 'velos.process.run';
/** Name of the span of one run of a job, from `job.started` to `job.finished`. */
export const JOB_SPAN = 'velos.job.run';

/**
 * Exit reasons that are not a failure of the run (its span's status stays unset): `unknown` is not known
 * to be one; `primary-exit` is its cluster primary's failure, not the worker's (the primary's
 * `process.primary_exited` span carries the error, and the run links to it).
 */
const CLEAN_EXIT_REASONS = new Set([
  'exit',
  'user',
  'reload',
  'cron',
  'watch',
  'stop',
  'unknown',
  'primary-exit',
]);
/** Kinds whose span is an error whatever their severity: a cluster primary's exit is the one failure. */
const FAILURE_KINDS = new Set(['process.primary_exited']);
/** Kinds that end an open run when no exit came first (a spawn error, a delete while starting). */
const RUN_ENDING_KINDS = new Set(['process.errored', 'process.stopped', 'process.deleted']);
/** Runs remembered for parenting later events (`process.restarting` after an exit), at most. */
const MAX_REMEMBERED_RUNS = 10_000;

/** Turns the daemon's events into spans (see docs/opentelemetry.md for the mapping). */
export interface LifecycleSpans {
  /** Handles events in `seq` order (a process not seen yet is looked up first). */
  handle(events: readonly VelosEvent[]): Promise<void>;
  /** Remembers each process's labels, CPU and memory; opens a run for an online process not seen starting. */
  noteSnapshot(processes: readonly ProcessFacts[], at: number, isResume?: boolean): void;
  /** Forgets open spans without ending them (a run still going is not exported half done). */
  close(): void;
}

/** What the spans need to know of a process besides its events (a `ProcessMetrics` has it all). */
export type ProcessFacts = Pick<ProcessMetrics, 'id' | 'name' | 'instance' | 'namespace' | 'status' | 'pid'> &
  Partial<Pick<ProcessMetrics, 'memoryBytes' | 'cpuPercent' | 'uptimeSeconds' | 'restarts'>>;

interface OpenRun {
  span: Span;
  app: string | undefined;
}

/**
 * Creates the event-to-span mapping on `tracer`: a span per process run and per job run, span
 * events inside them, a short span for the rest. `lookup` reads the processes (instance,
 * namespace) when an event names one not seen in a snapshot yet.
 */
export function createLifecycleSpans(
  tracer: Tracer,
  lookup: () => Promise<readonly ProcessFacts[]> = async () => [],
): LifecycleSpans {
  const runs = new Map<number, OpenRun>();
  const jobs = new Map<string, Span>();
  const lastRuns = new Map<number, SpanContext>();
  const known = new Map<number, ProcessFacts>();
  const restarts = new Map<number, number>();
  /** The reason of each process's pending restart: the daemon's `process.started` of a restart carries none. */
  const restartReasons = new Map<number, string>();
  /** The span of each app's last cluster primary exit, for the runs it ended to link to. */
  const primaryExits = new Map<string, SpanContext>();

  const labelsOf = (id: number | undefined, app: string | undefined): Attributes => {
    const p = id === undefined ? undefined : known.get(id);
    return {
      ...(app === undefined ? {} : { 'velos.process.name': app }),
      ...(id === undefined ? {} : { 'velos.process.id': id }),
      ...(p === undefined
        ? {}
        : { 'velos.process.instance': p.instance, 'velos.process.namespace': p.namespace }),
    };
  };
  const remember = (id: number, span: Span): void => {
    lastRuns.delete(id);
    lastRuns.set(id, span.spanContext());
    if (lastRuns.size > MAX_REMEMBERED_RUNS) lastRuns.delete(lastRuns.keys().next().value as number);
  };
  const openRun = (id: number, app: string | undefined, startMs: number, attributes: Attributes): OpenRun => {
    const previous = lastRuns.get(id);
    const span = tracer.startSpan(
      RUN_SPAN,
      {
        startTime: startMs,
        root: true,
        attributes: { ...labelsOf(id, app), 'velos.process.restarts': restarts.get(id) ?? 0, ...attributes },
        links: previous === undefined ? [] : [{ context: previous }],
      },
      ROOT_CONTEXT,
    );
    const run: OpenRun = { span, app };
    runs.set(id, run);
    return run;
  };
  const endRun = (id: number, run: OpenRun, atMs: number, reason: string, isFailure: boolean): void => {
    const p = known.get(id);
    if (p?.memoryBytes !== undefined) run.span.setAttribute('velos.process.memory_bytes', p.memoryBytes);
    if (p?.cpuPercent !== undefined) run.span.setAttribute('velos.process.cpu_percent', p.cpuPercent);
    run.span.setAttribute('velos.process.exit.reason', reason);
    const app = p?.name ?? run.app;
    const primaryExit = reason === 'primary-exit' && app !== undefined ? primaryExits.get(app) : undefined;
    if (primaryExit !== undefined) run.span.addLink({ context: primaryExit });
    if (isFailure) run.span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    run.span.end(atMs);
    runs.delete(id);
    remember(id, run.span);
  };
  const shortSpan = (event: VelosEvent): Span => {
    const parent = event.id === undefined ? undefined : lastRuns.get(event.id);
    const span = tracer.startSpan(
      event.kind,
      {
        startTime: event.at,
        root: parent === undefined,
        attributes: eventAttributes(event, labelsOf(event.id, event.app)),
      },
      parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent),
    );
    if (event.severity === 'error' || event.severity === 'critical' || FAILURE_KINDS.has(event.kind)) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.message });
    }
    span.end(event.at);
    return span;
  };

  const handleOne = (event: VelosEvent): void => {
    const id = event.id;
    const fields = event.fields ?? {};
    const run = id === undefined ? undefined : runs.get(id);
    if (id !== undefined && event.kind === 'process.restarting' && typeof fields.restarts === 'number') {
      // the count before this restart: the run it starts is one more
      restarts.set(id, fields.restarts + 1);
    }
    if (id !== undefined && event.kind === 'process.restarting' && typeof fields.reason === 'string') {
      restartReasons.set(id, fields.reason);
    }
    if (id !== undefined && event.kind === 'process.started') {
      if (run !== undefined) endRun(id, run, event.at, 'unknown', false);
      const reason = fields.reason ?? restartReasons.get(id) ?? 'start';
      restartReasons.delete(id);
      openRun(id, event.app, event.at, { 'velos.process.start_reason': String(reason) });
      return;
    }
    if (id !== undefined && event.kind === 'process.online') {
      const current = run ?? openRun(id, event.app, event.at, {});
      if (typeof fields.pid === 'number') {
        current.span.setAttribute('process.pid', fields.pid);
      }
      current.span.addEvent(event.kind, eventAttributes(event, {}), event.at);
      return;
    }
    if (id !== undefined && run !== undefined && event.kind === 'process.exited') {
      if (typeof fields.code === 'number') run.span.setAttribute('process.exit.code', fields.code);
      if (typeof fields.signal === 'string')
        run.span.setAttribute('velos.process.exit.signal', fields.signal);
      const reason = String(fields.reason ?? 'exit');
      endRun(id, run, event.at, reason, !CLEAN_EXIT_REASONS.has(reason));
      return;
    }
    if (id !== undefined && run !== undefined && RUN_ENDING_KINDS.has(event.kind)) {
      run.span.addEvent(event.kind, eventAttributes(event, {}), event.at);
      endRun(
        id,
        run,
        event.at,
        String(fields.reason ?? event.kind.slice('process.'.length)),
        event.kind === 'process.errored',
      );
      return;
    }
    if (id !== undefined && event.kind === 'job.started') {
      const key = `${id}:${String(fields.run)}`;
      jobs.get(key)?.end(event.at);
      const attributes = { ...labelsOf(id, event.app), ...prefixed(fields, 'velos.job.') };
      jobs.set(
        key,
        tracer.startSpan(JOB_SPAN, { startTime: event.at, root: true, attributes }, ROOT_CONTEXT),
      );
      return;
    }
    if (id !== undefined && event.kind === 'job.finished') {
      const key = `${id}:${String(fields.run)}`;
      const duration = typeof fields.duration_ms === 'number' ? fields.duration_ms : 0;
      const span =
        jobs.get(key) ??
        tracer.startSpan(
          JOB_SPAN,
          { startTime: event.at - duration, root: true, attributes: labelsOf(id, event.app) },
          ROOT_CONTEXT,
        );
      jobs.delete(key);
      span.setAttributes(prefixed(fields, 'velos.job.'));
      // a run the user or the daemon's shutdown stopped is no error
      if (fields.outcome !== 'ok' && fields.outcome !== 'stopped')
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(fields.outcome) });
      span.end(event.at);
      return;
    }
    if (run !== undefined) {
      run.span.addEvent(event.kind, eventAttributes(event, {}), event.at);
      return;
    }
    const span = shortSpan(event);
    if (event.kind === 'process.primary_exited' && event.app !== undefined) {
      primaryExits.set(event.app, span.spanContext());
    }
    if (id !== undefined && event.kind === 'process.deleted') {
      const app = known.get(id)?.name ?? event.app;
      lastRuns.delete(id);
      known.delete(id);
      restarts.delete(id);
      restartReasons.delete(id);
      // the app's last process gone: its primary's exit is no one's to link to any more
      if (app !== undefined && ![...known.values()].some((p) => p.name === app)) primaryExits.delete(app);
    }
  };

  const note: LifecycleSpans['noteSnapshot'] = (processes, at, isResume = false) => {
    for (const p of processes) {
      known.set(p.id, p);
      if (p.restarts !== undefined && p.restarts > (restarts.get(p.id) ?? -1)) restarts.set(p.id, p.restarts);
      if (isResume && p.status === 'online' && p.pid !== null && !runs.has(p.id)) {
        const run = openRun(p.id, p.name, at - (p.uptimeSeconds ?? 0) * 1000, { 'velos.run.resumed': true });
        run.span.setAttribute('process.pid', p.pid);
      }
    }
  };

  return {
    async handle(events) {
      if (events.some((e) => e.id !== undefined && !known.has(e.id) && e.kind !== 'process.deleted')) {
        note(await lookup().catch(() => []), Date.now());
      }
      for (const event of events) handleOne(event);
    },
    noteSnapshot: note,
    close() {
      runs.clear();
      jobs.clear();
    },
  };
}

function eventAttributes(event: VelosEvent, base: Attributes): Attributes {
  return {
    ...base,
    'velos.event.seq': event.seq,
    'velos.event.severity': event.severity,
    'velos.event.message': event.message,
    ...prefixed(event.fields ?? {}, 'velos.event.'),
  };
}

function prefixed(fields: Record<string, EventFieldValue>, prefix: string): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== null) attributes[`${prefix}${key}`] = value;
  }
  return attributes;
}
