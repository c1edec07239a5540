import {
  COMPONENT_LIMITS,
  type ComponentReportRequest,
  type ComponentStatus,
  ErrorCodes,
  type EventSeverity,
  formatElapsedMs,
  formatSpanMs,
  type ReportedComponent,
  VelosError,
} from '@velos/core';
import type { PublishEvent } from '../events/event-bus.js';
import { monotonicMs } from '../monotonic-ms.js';

/** The clocks of the registry: wall time for what it shows, monotonic time for its deadlines. */
export interface RegistryClock {
  wallMs(): number;
  monotonicMs(): number;
}

/** OBS-2: the outside components of `components.report`, in the daemon's memory. */
export interface ComponentRegistry {
  /** Records a report (a new component, a heartbeat, a status change); BUSY past `maxComponents`. */
  report(request: ComponentReportRequest): ReportedComponent;
  /** Every component by name, staleness as of now. */
  list(): ReportedComponent[];
  /**
   * The components marked stale, each with the line of its `component.stale` (as of now), without a
   * sweep (so without publishing): what a restored `component stale` alert asks of the registry.
   */
  stale(): StaleComponent[];
  /**
   * Takes back the components a previous daemon kept: each gets one interval (plus grace) from now
   * before it is stale; one that was stale stays stale, without a new event.
   */
  restore(components: readonly ReportedComponent[]): void;
  /** Forgets a component (a `component.removed` event); TARGET_NOT_FOUND for an unknown name. */
  remove(name: string): ReportedComponent;
  /** Marks stale every component whose deadline passed at `monotonic` (the timer calls it; tests too). */
  sweep(monotonic?: number): void;
  /** Clears the timer. */
  close(): void;
}

/** A stale component as the `component stale` alert condition sees it. */
export interface StaleComponent {
  name: string;
  app?: string;
  message: string;
}

/** The line of a `component.stale` event of `component` at wall time `nowMs`. */
export function staleMessage(component: ReportedComponent, nowMs: number): string {
  return `component ${component.name} is stale: no report for ${formatElapsedMs(nowMs - component.lastReportAt)} (interval ${formatSpanMs(component.intervalMs)})`;
}

/**
 * How long after its interval a component without a report is marked stale: a tenth of the interval,
 * 1 s to 1 min, for the report's own travel and a cron job's start-up.
 */
export function staleGraceMs(intervalMs: number): number {
  return Math.min(60_000, Math.max(1000, Math.round(intervalMs / 10)));
}

/**
 * Creates the registry. One timer (unref'd) waits for the earliest deadline of the components that
 * are not stale; each report pushes its component's deadline one interval (plus grace) on. Events:
 * `component.status` (first report, status change), `component.stale`, `component.recovered`,
 * `component.removed`.
 */
export function createComponentRegistry(options: {
  publish: PublishEvent;
  /** Told when a component comes, goes, or changes more than its last report's time (to keep them). */
  onChange?: () => void;
  clock?: RegistryClock;
  graceMs?: (intervalMs: number) => number;
}): ComponentRegistry {
  const clock = options.clock ?? { wallMs: Date.now, monotonicMs };
  const graceOf = options.graceMs ?? staleGraceMs;
  const changed = options.onChange ?? (() => undefined);
  const entries = new Map<string, { component: ReportedComponent; deadline: number }>();
  let timer: NodeJS.Timeout | null = null;
  let timerDeadline = Number.POSITIVE_INFINITY;
  let isClosed = false;

  const publish = (kind: string, severity: EventSeverity, component: ReportedComponent, message: string) =>
    options.publish({
      kind,
      severity,
      ...(component.app === undefined ? {} : { app: component.app }),
      message,
      fields: {
        component: component.name,
        status: component.status,
        intervalMs: component.intervalMs,
        ...(component.message === undefined ? {} : { reported: component.message }),
      },
    });

  const schedule = (): void => {
    if (isClosed) return;
    let next = Number.POSITIVE_INFINITY;
    for (const entry of entries.values()) {
      if (!entry.component.isStale) next = Math.min(next, entry.deadline);
    }
    if (next === timerDeadline) return;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    timerDeadline = next;
    if (next === Number.POSITIVE_INFINITY) return;
    // +1: a timeout may fire a fraction of a millisecond early on the monotonic clock
    timer = setTimeout(
      () => {
        timer = null;
        timerDeadline = Number.POSITIVE_INFINITY;
        registry.sweep();
      },
      Math.max(0, Math.ceil(next - clock.monotonicMs()) + 1),
    );
    timer.unref();
  };

  const registry: ComponentRegistry = {
    report(request) {
      const now = clock.wallMs();
      const deadline = clock.monotonicMs() + request.intervalMs + graceOf(request.intervalMs);
      const entry = entries.get(request.name);
      if (entry === undefined && entries.size >= COMPONENT_LIMITS.maxComponents) {
        throw new VelosError(
          ErrorCodes.BUSY,
          `${request.name}: ${entries.size} components are reported, at most ${COMPONENT_LIMITS.maxComponents}; remove a retired one (velos components remove <name>)`,
          { data: { limit: COMPONENT_LIMITS.maxComponents } },
        );
      }
      const before = entry?.component;
      const isChanged = before === undefined || before.status !== request.status || before.isStale;
      const isEdited =
        isChanged ||
        before.message !== request.message ||
        before.app !== request.app ||
        before.intervalMs !== request.intervalMs;
      const component: ReportedComponent = {
        name: request.name,
        status: request.status,
        ...(request.message === undefined ? {} : { message: request.message }),
        ...(request.app === undefined ? {} : { app: request.app }),
        intervalMs: request.intervalMs,
        lastReportAt: now,
        isStale: false,
        since: isChanged ? now : before.since,
        reports: (before?.reports ?? 0) + 1,
      };
      entries.set(request.name, { component, deadline });
      if (before?.isStale) {
        publish(
          'component.recovered',
          'info',
          component,
          `component ${component.name} reports again (${component.status}) after ${formatElapsedMs(now - before.lastReportAt)} without a report`,
        );
      }
      if (before === undefined || before.status !== component.status) {
        const from = before === undefined ? 'first report' : `was ${before.status}`;
        publish(
          'component.status',
          SEVERITY_OF[component.status],
          component,
          `component ${component.name} is ${component.status} (${from})${component.message === undefined ? '' : `: ${component.message}`}`,
        );
      }
      schedule();
      if (isEdited) changed();
      return { ...component };
    },
    restore(components) {
      const monotonic = clock.monotonicMs();
      for (const saved of components) {
        if (entries.has(saved.name) || entries.size >= COMPONENT_LIMITS.maxComponents) continue;
        const deadline = monotonic + saved.intervalMs + graceOf(saved.intervalMs);
        entries.set(saved.name, { component: { ...saved }, deadline });
      }
      schedule();
    },
    list() {
      registry.sweep();
      return [...entries.values()]
        .map((entry) => ({ ...entry.component }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    stale() {
      const now = clock.wallMs();
      const stale: StaleComponent[] = [];
      for (const { component } of entries.values()) {
        if (!component.isStale) continue;
        const { name, app } = component;
        stale.push({ name, ...(app === undefined ? {} : { app }), message: staleMessage(component, now) });
      }
      return stale;
    },
    remove(name) {
      const entry = entries.get(name);
      if (entry === undefined) {
        throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no component is called '${name}'`, {
          data: { target: name },
        });
      }
      entries.delete(name);
      publish('component.removed', 'info', entry.component, `component ${name} was removed`);
      schedule();
      changed();
      return { ...entry.component };
    },
    sweep(monotonic = clock.monotonicMs()) {
      const now = clock.wallMs();
      let isAnyStale = false;
      for (const entry of entries.values()) {
        const { component } = entry;
        if (component.isStale || monotonic < entry.deadline) continue;
        component.isStale = true;
        component.since = now;
        isAnyStale = true;
        publish('component.stale', 'warning', component, staleMessage(component, now));
      }
      schedule();
      if (isAnyStale) changed();
    },
    close() {
      isClosed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      timerDeadline = Number.POSITIVE_INFINITY;
    },
  };
  return registry;
}

const SEVERITY_OF: Readonly<Record<ComponentStatus, EventSeverity>> = {
  healthy: 'info',
  degraded: 'warning',
  unhealthy: 'error',
};
