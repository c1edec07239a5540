import type { ReportedComponent } from './component-report.js';

/** OBS-4: how one part of the daemon is doing (seed 004's three states), worst last. */
export type ComponentStatus = 'healthy' | 'degraded' | 'unhealthy';

/** The statuses from best to worst. */
export const COMPONENT_STATUSES: readonly ComponentStatus[] = ['healthy', 'degraded', 'unhealthy'];

/**
 * One component of the daemon's self-health: `ipc`, `event-loop`, `logs`, `disk`, `monitor`,
 * `state`, `scheduler`, `alerts`, or one registered by a host. `value` is the number the status
 * was decided on (its unit is in docs/self-health.md: ms, bytes, connections, lines, runs).
 */
export interface ComponentHealth {
  name: string;
  status: ComponentStatus;
  /** Why it is not healthy (or what was measured), one line. */
  reason?: string;
  value?: number;
}

/**
 * Answer of `health`: the worst component's status, every component, and when it was evaluated (epoch
 * ms). `reported` lists the outside components of `components.report` (when any): they never change
 * `status`, which is about Velos itself.
 */
export interface DaemonHealth {
  status: ComponentStatus;
  components: ComponentHealth[];
  at: number;
  reported?: ReportedComponent[];
}

/** The worse of the statuses (`healthy` for none). */
export function worstStatus(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let worst = 0;
  for (const status of statuses) worst = Math.max(worst, COMPONENT_STATUSES.indexOf(status));
  return COMPONENT_STATUSES[worst]!;
}

/** Exit status of `velos health`: 0 while the daemon works (healthy or degraded), 2 when unhealthy. */
export const HEALTH_EXIT_CODES: Readonly<Record<ComponentStatus, number>> = {
  healthy: 0,
  degraded: 0,
  unhealthy: 2,
};
