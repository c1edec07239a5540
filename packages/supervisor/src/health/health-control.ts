import { statfs } from 'node:fs/promises';
import {
  type ComponentHealth,
  type ComponentStatus,
  type DaemonHealth,
  type EventSeverity,
  worstStatus,
} from '@velos/core';
import type { PublishEvent } from '../events/event-bus.js';
import type { LiveState } from '../live-state.js';
import type { Monitor } from '../monitor.js';
import type { ProcessTable } from '../process-table.js';
import {
  checkDisk,
  checkLogs,
  checkLoopLag,
  checkMonitor,
  checkScheduler,
  checkState,
  SCHEDULER_LATE_MS,
} from './health-checks.js';
import { type LoopLagSampler, startLoopLagSampler } from './loop-lag.js';

/** How often a daemon re-evaluates its health on its own (and publishes a change). */
export const HEALTH_INTERVAL_MS = 10_000;

/** The evaluation period: `VELOS_HEALTH_INTERVAL_MS` (a positive integer, for tests) or `HEALTH_INTERVAL_MS`. */
export function healthIntervalFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.VELOS_HEALTH_INTERVAL_MS;
  return raw !== undefined && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : HEALTH_INTERVAL_MS;
}

/** How long a drop of log lines or a refused connection keeps its component degraded or unhealthy. */
export const HEALTH_RECENT_MS = 60_000;

/** A counter that only grows (or restarts lower) seen as "how much it grew in the last `HEALTH_RECENT_MS`". */
export function createRecentCount(): { update(total: number, now?: number): number } {
  let last = 0;
  let recent = 0;
  let grewAt = 0;
  return {
    update(total, now = Date.now()) {
      const grown = Math.max(0, total - last);
      last = total;
      if (grown > 0) {
        if (now - grewAt > HEALTH_RECENT_MS) recent = 0;
        recent += grown;
        grewAt = now;
      } else if (now - grewAt > HEALTH_RECENT_MS) {
        recent = 0;
      }
      return recent;
    },
  };
}

/** A component's check, run at each evaluation; it must be cheap and must not throw (a throw counts as degraded). */
export type HealthCheck = () => ComponentHealth;

/** What the self-health reads of the supervisor. */
export interface HealthControlOptions {
  home: string;
  table: ProcessTable;
  monitor: Pick<Monitor, 'sampleAgeMs'>;
  monitorIntervalMs: number;
  live: Pick<LiveState, 'stats'>;
  publish: PublishEvent;
}

/** OBS-4: the daemon's self-health: built-in components, registered checks and reported states. */
export interface HealthControl {
  /** Evaluates every component now; publishes `daemon.degraded`/`daemon.recovered` when the overall status changed. */
  health(): Promise<DaemonHealth>;
  /** Adds (or replaces) a component computed at each evaluation (the daemon's `ipc`); returns its removal. */
  registerHealthCheck(name: string, check: HealthCheck): () => void;
  /** Sets a component's state from outside (alert delivery failures…) until the next report. */
  reportHealth(name: string, status: ComponentStatus, reason?: string): void;
  /** Starts the event-loop lag sampler and the periodic evaluation (daemons only; all timers unref'd). */
  watch(intervalMs?: number): void;
  /** OBS-1: the event-loop lag of the sampler's window in ms (mean and worst); zeros until `watch` starts it. */
  loopLag(): { meanMs: number; maxMs: number };
  /**
   * The daemon's start-up is over: the stalls of its restore and of loading its extensions (the API)
   * leave the event-loop window, so a slow start is not an `unhealthy` daemon for the next 10 s.
   */
  endStartup(): void;
  close(): void;
}

/** Creates the self-health of a supervisor; nothing runs until `watch` or `health` is called. */
export function createHealthControl(options: HealthControlOptions): HealthControl {
  const checks = new Map<string, HealthCheck>();
  const reported = new Map<string, ComponentHealth>([
    ['alerts', { name: 'alerts', status: 'healthy', reason: 'no delivery failure reported' }],
  ]);
  let sampler: LoopLagSampler | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastStatus: ComponentStatus = 'healthy';
  const drops = createRecentCount();

  const logsHealth = (now: number): ComponentHealth => {
    let dropped = 0;
    for (const record of options.table.records.values()) dropped += record.pipeline.counters().dropped;
    return checkLogs(drops.update(dropped, now), dropped, options.table.records.size);
  };

  const schedulerHealth = (now: number): ComponentHealth => {
    let jobs = 0;
    const late: string[] = [];
    for (const record of options.table.records.values()) {
      const job = record.job;
      if (!job?.isEnabled) continue;
      jobs += 1;
      if (job.nextRunAt !== null && !record.run && now - job.nextRunAt > SCHEDULER_LATE_MS) {
        late.push(record.app.spec.name);
      }
    }
    return checkScheduler(jobs, late);
  };

  const diskHealth = async (): Promise<ComponentHealth> => {
    try {
      const fs = await statfs(options.home);
      return checkDisk({ freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize });
    } catch (error) {
      return checkDisk({ error: error instanceof Error ? error.message : String(error) });
    }
  };

  const runCheck = (name: string, check: HealthCheck): ComponentHealth => {
    try {
      return { ...check(), name };
    } catch (error) {
      return { name, status: 'degraded', reason: `check failed: ${String(error)}` };
    }
  };

  const publishChange = (health: DaemonHealth): void => {
    const from = lastStatus;
    lastStatus = health.status;
    if (health.status === from) return;
    const faulty = health.components.filter((component) => component.status !== 'healthy');
    if (health.status === 'healthy') {
      options.publish({
        kind: 'daemon.recovered',
        severity: 'info',
        message: `daemon healthy again (was ${from})`,
        fields: { status: health.status, from },
      });
      return;
    }
    const severity: EventSeverity = health.status === 'unhealthy' ? 'critical' : 'warning';
    options.publish({
      kind: 'daemon.degraded',
      severity,
      message: `daemon ${health.status}: ${faulty.map((c) => `${c.name}: ${c.reason ?? c.status}`).join('; ')}`,
      fields: { status: health.status, from, components: faulty.map((c) => c.name).join(',') },
    });
  };

  const health = async (): Promise<DaemonHealth> => {
    const disk = await diskHealth();
    const now = Date.now();
    const components: ComponentHealth[] = [];
    for (const [name, check] of checks) components.push(runCheck(name, check));
    if (sampler) components.push(checkLoopLag(sampler.maxLagMs(now)));
    components.push(
      logsHealth(now),
      disk,
      checkMonitor(options.monitor.sampleAgeMs(now), options.monitorIntervalMs),
      checkState(options.live.stats()),
      schedulerHealth(now),
    );
    for (const state of reported.values()) {
      // a component both checked and reported on (alert delivery) shows the worse of the two
      const index = components.findIndex((component) => component.name === state.name);
      if (index === -1) components.push(state);
      else if (worstStatus([components[index]!.status, state.status]) !== components[index]!.status) {
        components[index] = state;
      }
    }
    const result = { status: worstStatus(components.map((c) => c.status)), components, at: now };
    publishChange(result);
    return result;
  };

  return {
    health,
    registerHealthCheck(name, check) {
      checks.set(name, check);
      return () => {
        if (checks.get(name) === check) checks.delete(name);
      };
    },
    reportHealth(name, status, reason) {
      reported.set(name, reason === undefined ? { name, status } : { name, status, reason });
    },
    watch(intervalMs = HEALTH_INTERVAL_MS) {
      if (timer) return;
      sampler = startLoopLagSampler();
      timer = setInterval(() => void health().catch(() => undefined), intervalMs);
      timer.unref();
    },
    endStartup() {
      sampler?.reset();
    },
    loopLag() {
      return sampler ? { meanMs: sampler.meanLagMs(), maxMs: sampler.maxLagMs() } : { meanMs: 0, maxMs: 0 };
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
      sampler?.stop();
      sampler = null;
    },
  };
}
