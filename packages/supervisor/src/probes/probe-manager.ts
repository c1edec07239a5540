import {
  type AppSpec,
  type EventSeverity,
  type HealthInfo,
  type HealthState,
  instanceEnv,
  type ProbeSpec,
} from '@velos/core';
import type { PublishEvent } from '../events/event-bus.js';
import { setLongTimeout } from '../long-timer.js';
import { isActive, type ProcessRecord, type ProcessRun } from '../process-record.js';
import { resolveRunAs } from '../run-as.js';
import type { ExecContext } from './exec-check.js';
import { instanceProbe } from './instance-probe.js';
import type { ProbeHandle } from './probe-runner.js';
import { computeHealth, initialProbeState, nextProbeState, type ProbeState } from './probe-state.js';

/** Which probe of a process. */
export type ProbeName = 'liveness' | 'readiness';

/** What the probe manager reports to the supervisor. */
export interface ProbeManagerOptions {
  /** The daemon's own log. */
  log(line: string): void;
  /**
   * Liveness failed `failures` times in a row on the record's current run: restart it (reason
   * `unhealthy`); `hasPassed` is false when it never passed on that run (the run was unstable).
   */
  onLivenessFailed(record: ProcessRecord, failures: number, reason: string, hasPassed: boolean): void;
  /** OBS-2: receives `process.health` when a probe result changes a process's health. */
  publish?: PublishEvent;
}

/** Runs the liveness and readiness probes of online processes and keeps `record.health` (SUP-11). */
export interface ProbeManager {
  /** Starts the probes of a run that just went online (nothing for an app without probes). */
  attach(record: ProcessRecord): void;
  /** Stops the probes of a record whose run ended (exit, stop, delete); pending `whenReady` calls get false. */
  detach(record: ProcessRecord): void;
  /**
   * Resolves true once the process is online and ready (its readiness probe passes, or its liveness
   * probe without one; at once without probes), false after `timeoutMs` or when its run ends first.
   */
  whenReady(record: ProcessRecord, timeoutMs: number): Promise<boolean>;
  /** Stops every probe; pending `whenReady` calls get false. */
  close(): void;
}

interface Attachment {
  run: ProcessRun | null;
  states: Partial<Record<ProbeName, ProbeState>>;
  handles: ProbeHandle[];
  isStopped: boolean;
}

type Waiter = (isReady: boolean) => void;

let runnerModule: Promise<typeof import('./probe-runner.js')> | null = null;

/**
 * Creates the probe manager; the probe runner and its checks (node:http, node:net, child processes)
 * are loaded when the first app with a probe goes online.
 */
export function createProbeManager(options: ProbeManagerOptions): ProbeManager {
  const attached = new Map<ProcessRecord, Attachment>();
  const waiters = new Map<ProcessRecord, Set<Waiter>>();
  let isClosed = false;

  const label = (record: ProcessRecord) => `process ${record.id} (${record.app.spec.name})`;

  function isReadyNow(record: ProcessRecord): boolean {
    if (record.status !== 'online' || record.run === null) return false;
    if (probesOf(record.app.spec).length === 0) return true;
    return attached.get(record)?.run === record.run && record.health?.ready === true;
  }

  function settle(record: ProcessRecord, force?: boolean): void {
    const pending = waiters.get(record);
    if (!pending) return;
    const isReady = force ?? isReadyNow(record);
    if (force === undefined && !isReady) return;
    for (const waiter of [...pending]) waiter(isReady);
  }

  function stopAttachment(attachment: Attachment): void {
    attachment.isStopped = true;
    for (const handle of attachment.handles.splice(0)) handle.stop();
  }

  function onResult(
    record: ProcessRecord,
    attachment: Attachment,
    name: ProbeName,
    probe: ProbeSpec,
    reason: string | null,
  ): void {
    if (attachment.isStopped) return;
    const before = attachment.states[name] ?? initialProbeState();
    const after = nextProbeState(before, probe, reason);
    attachment.states[name] = after;
    const lastFailure =
      reason === null ? (record.health?.lastFailure ?? null) : { probe: name, reason, at: Date.now() };
    const previous = record.health?.state ?? 'unknown';
    record.health = {
      ...computeHealth(attachment.states.liveness, attachment.states.readiness),
      lastFailure,
    };
    if (record.health.state !== previous) {
      publishHealth(record, previous, name, probe, reason ?? after.lastReason);
    }
    if (name === 'liveness' && after.status === 'failing') {
      stopAttachment(attachment);
      options.onLivenessFailed(record, after.failures, reason ?? 'failed', before.status !== 'unknown');
      return;
    }
    if (after.status === 'failing' && before.status !== 'failing') {
      options.log(`${label(record)}: ${name} probe failed ${times(after.failures)}: ${reason}`);
    } else if (after.status === 'passing' && before.status === 'failing') {
      options.log(`${label(record)}: ${name} probe passes again`);
    }
    settle(record);
  }

  function publishHealth(
    record: ProcessRecord,
    from: HealthState,
    name: ProbeName,
    probe: ProbeSpec,
    reason: string | null,
  ): void {
    const to = record.health!.state;
    const why = to === 'healthy' || reason === null ? '' : `: ${reason}`;
    options.publish?.({
      kind: 'process.health',
      severity: HEALTH_SEVERITY[to],
      app: record.app.spec.name,
      id: record.id,
      message: `${label(record)} ${to} (${name} ${probe.kind} probe)${why}`,
      fields: { from, to, probe: name, check: probe.kind, reason: to === 'healthy' ? null : reason },
    });
  }

  function start(record: ProcessRecord, attachment: Attachment, probes: [ProbeName, ProbeSpec][]): void {
    const spec = record.app.spec;
    runnerModule ??= import('./probe-runner.js');
    runnerModule
      .then(({ startProbe }) => {
        if (attachment.isStopped) return;
        const context = execContext(record, probes);
        for (const [name, probe] of probes) {
          // an http or tcp check of the base port of `increment_var` checks this instance's port
          const check = instanceProbe(probe, spec, record.instance);
          attachment.handles.push(
            startProbe(check, context, (reason) => onResult(record, attachment, name, probe, reason)),
          );
        }
      })
      .catch((error: unknown) => options.log(`${label(record)}: cannot start its probes: ${error}`));
  }

  return {
    attach(record) {
      if (isClosed) return;
      const current = attached.get(record);
      if (current && current.run === record.run) return;
      if (current) stopAttachment(current);
      attached.delete(record);
      const probes = probesOf(record.app.spec);
      if (probes.length > 0) {
        const attachment: Attachment = { run: record.run, states: {}, handles: [], isStopped: false };
        for (const [name] of probes) attachment.states[name] = initialProbeState();
        attached.set(record, attachment);
        record.health = { state: 'unknown', ready: false, lastFailure: record.health?.lastFailure ?? null };
        start(record, attachment, probes);
      }
      settle(record);
    },

    detach(record) {
      const attachment = attached.get(record);
      if (attachment) {
        stopAttachment(attachment);
        attached.delete(record);
      }
      if (record.health) record.health = afterRun(record.health);
      settle(record, false);
    },

    whenReady(record, timeoutMs) {
      if (isReadyNow(record)) return Promise.resolve(true);
      if (isClosed || !isActive(record.status)) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const pending = waiters.get(record) ?? new Set<Waiter>();
        waiters.set(record, pending);
        const waiter: Waiter = (isReady) => {
          timer.clear();
          pending.delete(waiter);
          if (pending.size === 0 && waiters.get(record) === pending) waiters.delete(record);
          resolve(isReady);
        };
        const timer = setLongTimeout(() => waiter(false), timeoutMs, { unref: true });
        pending.add(waiter);
      });
    },

    close() {
      isClosed = true;
      for (const attachment of attached.values()) stopAttachment(attachment);
      attached.clear();
      for (const record of [...waiters.keys()]) settle(record, false);
    },
  };
}

/**
 * Where an app's exec probe runs: its cwd, its instance's environment (`increment_var`'s port, VELOS_ID,
 * NODE_APP_INSTANCE) and, for an app with `uid`/`gid`, that user and its HOME, USER… as the app gets
 * them. The command ran as the daemon's user (root): a script in a cwd the app can write was a way to root.
 */
function execContext(record: ProcessRecord, probes: [ProbeName, ProbeSpec][]): ExecContext {
  const spec = record.app.spec;
  const env = instanceEnv(spec, record);
  // only an exec check runs as the user: an http or tcp one needs no account look-up
  const runAs = probes.some(([, probe]) => probe.kind === 'exec') ? resolveRunAs(spec) : undefined;
  if (!runAs) return { cwd: spec.cwd, env };
  for (const [key, value] of Object.entries(runAs.env))
    if (spec.ownEnv?.[key] === undefined) env[key] = value;
  return { cwd: spec.cwd, env, uid: runAs.uid, gid: runAs.gid };
}

/** The probes an app declares, liveness first. */
export function probesOf(spec: AppSpec): [ProbeName, ProbeSpec][] {
  const probes: [ProbeName, ProbeSpec][] = [];
  if (spec.livenessProbe) probes.push(['liveness', spec.livenessProbe]);
  if (spec.readinessProbe) probes.push(['readiness', spec.readinessProbe]);
  return probes;
}

/**
 * Why a process that `whenReady` gave up on is not ready, for the reload's error: its status, the
 * latest failure of this run's probes, or no result yet (`initial_delay` longer than `listen_timeout`).
 * @example whyNotReady(record) // 'readiness probe: HTTP 503'
 */
export function whyNotReady(record: ProcessRecord): string {
  if (record.status !== 'online') return `it is ${record.status}`;
  const spec = record.app.spec;
  const failure = record.health?.lastFailure;
  if (failure && record.startedAt !== null && failure.at >= record.startedAt) {
    return `${failure.probe} probe: ${failure.reason}`;
  }
  const [name, probe] = probesOf(spec).at(-1) ?? [];
  if (name === undefined || probe === undefined) return 'no probe result yet';
  const delay = probe.initialDelayMs > 0 ? `: its initial_delay is ${probe.initialDelayMs} ms` : '';
  return `no ${name} probe result yet${delay}`;
}

/** Severity of a `process.health` event by the state it goes to. */
const HEALTH_SEVERITY: Record<HealthState, EventSeverity> = {
  healthy: 'info',
  unknown: 'info',
  degraded: 'warning',
  unhealthy: 'error',
};

/** `1 time`, `3 times`. */
export function times(count: number): string {
  return count === 1 ? '1 time' : `${count} times`;
}

/** Health once the run is gone: not ready; `unhealthy` stays until the next run reports, else `unknown`. */
function afterRun(health: HealthInfo): HealthInfo {
  return {
    state: health.state === 'unhealthy' ? 'unhealthy' : 'unknown',
    ready: false,
    lastFailure: health.lastFailure,
  };
}
