import type { HealthState } from '@velos/core';

/** Where one probe stands: `unknown` until a result decides it. */
export type ProbeStatus = 'unknown' | 'passing' | 'failing';

/** One probe's counters: consecutive failures and passes, and its latest failure reason. */
export interface ProbeState {
  status: ProbeStatus;
  failures: number;
  successes: number;
  lastReason: string | null;
}

/** The thresholds a probe's status moves by. */
export interface ProbeThresholds {
  failureThreshold: number;
  successThreshold: number;
}

/** A probe before its first result. */
export function initialProbeState(): ProbeState {
  return { status: 'unknown', failures: 0, successes: 0, lastReason: null };
}

/**
 * The state after one check (`reason` null = passed): `failureThreshold` failures in a row make the
 * probe fail; once failed, `successThreshold` passes in a row make it pass again; a first pass passes.
 */
export function nextProbeState(
  state: ProbeState,
  thresholds: ProbeThresholds,
  reason: string | null,
): ProbeState {
  if (reason === null) {
    const successes = state.successes + 1;
    const isPassing =
      state.status === 'passing' || state.status === 'unknown' || successes >= thresholds.successThreshold;
    return {
      status: isPassing ? 'passing' : 'failing',
      failures: 0,
      successes,
      lastReason: state.lastReason,
    };
  }
  const failures = state.failures + 1;
  const status = failures >= thresholds.failureThreshold ? 'failing' : state.status;
  return { status, failures, successes: 0, lastReason: reason };
}

/**
 * The health of a process from its probes: `unhealthy` once liveness failed; `degraded` while a probe
 * that passed has failures below its threshold, or readiness failed; `healthy` when all pass; else
 * `unknown`. A probe that has not passed yet on this run (its status `unknown`) with failures below its
 * threshold is starting, not degrading: a program checked before it listens stays `unknown` (each start
 * of a healthy app was `degraded`, a warning event, then `healthy` from `degraded`, a `recovered` one).
 * `ready` follows readiness, or liveness without a readiness probe.
 */
export function computeHealth(
  liveness: ProbeState | undefined,
  readiness: ProbeState | undefined,
): { state: HealthState; ready: boolean } {
  const gate = readiness ?? liveness;
  const ready = gate === undefined || gate.status === 'passing';
  const probes = [liveness, readiness].filter((probe) => probe !== undefined);
  if (liveness?.status === 'failing') return { state: 'unhealthy', ready: false };
  if (
    probes.some((probe) => probe.status === 'failing' || (probe.status === 'passing' && probe.failures > 0))
  )
    return { state: 'degraded', ready };
  if (probes.every((probe) => probe.status === 'passing')) return { state: 'healthy', ready };
  return { state: 'unknown', ready };
}
