import type { Dependency, JobRun } from '@velos/core';
import { probesOf } from '../probes/index.js';
import type { ProcessRecord } from '../process-record.js';
import { setStatus } from '../process-status.js';
import { dependencyState } from './dependency-state.js';

/** What the dependency gate needs from the supervisor. */
export interface DependencyGateOptions {
  /** The processes of the app called `name` (empty when it is not in the daemon). */
  processesOf(name: string): ProcessRecord[];
  /** Spawns processes marked `starting` (those no longer `starting` are left alone). */
  launch(records: ProcessRecord[]): Promise<void>;
  log(line: string): void;
  /** How often a waiting app looks at its dependencies; default 100 ms. */
  pollMs?: number;
}

/** Holds apps back until their `depends_on` conditions are met (SUP-12). */
export interface DependencyGate {
  /**
   * Launches an app's processes (already `starting`) once every dependency meets its condition, or
   * marks them `errored` with a note in their err log when one fails; returns at once. An app that
   * is stopped or deleted while it waits is dropped. With `isRestoring` (saved state brought back), a
   * dependency the daemon does not have, or that the state keeps stopped or errored, is not waited
   * for (`completed_successfully` still judges a job's latest run): the app ran without it before.
   */
  hold(records: ProcessRecord[], holdOptions?: { isRestoring?: boolean }): void;
  /**
   * Holds `records` (new instances of a held app, already `starting`) as `sibling` is held: for the
   * same dependencies, since the same time; false when the gate does not hold `sibling` (nothing held).
   */
  holdLike(records: ProcessRecord[], sibling: ProcessRecord): boolean;
  /**
   * True while the gate holds the process: `starting`, no run, its dependencies not met yet or its
   * launch just under way. Whatever would (re)start it now leaves it to the gate (`velos restart` of a
   * waiting app, a reload, a watch restart): it started at once, before its dependencies.
   */
  holds(record: ProcessRecord): boolean;
  /**
   * The dependencies a held process still waits for (empty once they are met and its launch is under
   * way); null when the gate does not hold it. `velos trigger` refuses a job the gate holds.
   */
  unmetOf(record: ProcessRecord): Dependency[] | null;
  /**
   * Why a job that runs again (its schedule, its interval, `velos trigger`) may not run now: the first
   * of its `depends_on` that does not meet its condition now, and where it stands; null when all do.
   */
  unmetNow(record: ProcessRecord): string | null;
  /** Drops every waiting app (daemon shutdown). */
  close(): void;
}

/** A dependency's verdict: met, still waiting, or failed with a reason. */
type Verdict = { kind: 'met' } | { kind: 'wait' } | { kind: 'failed'; reason: string };

/** Creates the gate; it polls only while some app waits. */
export function createDependencyGate(options: DependencyGateOptions): DependencyGate {
  const pollMs = options.pollMs ?? 100;
  const timers = new Set<NodeJS.Timeout>();
  /** When each held process began waiting and what for, until its launch or failure. */
  const held = new Map<ProcessRecord, { since: number; dependencies: Dependency[] }>();
  let isClosed = false;

  function isWaiting(records: ProcessRecord[]): boolean {
    const name = records[0]!.app.spec.name;
    const current = options.processesOf(name);
    return records.some((record) => current.includes(record) && record.status === 'starting' && !record.run);
  }

  function release(records: ProcessRecord[]): void {
    for (const record of records) held.delete(record);
  }

  function fail(records: ProcessRecord[], reason: string): void {
    release(records);
    const spec = records[0]!.app.spec;
    options.log(`${spec.name}: not started: ${reason}`);
    for (const record of records) {
      if (record.status !== 'starting' || record.run) continue;
      setStatus(record, 'errored', 'dependency');
      // a restored job's kept phase was for this launch: a later start runs it afresh
      if (record.job) record.job.isRestoring = false;
      try {
        record.pipeline.note('err', `velos: not started: ${reason}`);
      } catch {
        // deleted meanwhile: its pipeline is closed
      }
    }
  }

  function holdFor(records: ProcessRecord[], dependencies: Dependency[], since: number): void {
    const spec = records[0]!.app.spec;
    for (const record of records) held.set(record, { since, dependencies });
    const waitingFor = dependencies.map((d) => `${d.name} (${d.condition})`).join(', ');
    if (dependencies.length > 0) options.log(`${spec.name}: waiting for ${waitingFor}`);
    const check = (): void => {
      if (isClosed || !isWaiting(records)) {
        release(records);
        return;
      }
      let isMet = true;
      for (const dependency of dependencies) {
        const verdict = judge(dependency, options.processesOf(dependency.name), since);
        if (verdict.kind === 'failed') {
          fail(records, verdict.reason);
          return;
        }
        if (verdict.kind === 'wait') isMet = false;
      }
      if (!isMet) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          check();
        }, pollMs);
        timers.add(timer);
        return;
      }
      if (dependencies.length > 0) options.log(`${spec.name}: dependencies met (${waitingFor}): starting`);
      options
        .launch(records)
        .catch((error) => options.log(`${spec.name}: starting after its dependencies failed: ${error}`))
        .finally(() => release(records));
    };
    check();
  }

  function holds(record: ProcessRecord): boolean {
    return held.has(record) && record.status === 'starting' && !record.run;
  }

  return {
    hold(records, holdOptions = {}) {
      if (records.length === 0) return;
      const spec = records[0]!.app.spec;
      const dependencies = spec.dependsOn.filter((dependency) => {
        const why = holdOptions.isRestoring
          ? restoredWithout(dependency, options.processesOf(dependency.name))
          : null;
        if (why !== null) options.log(`${spec.name}: dependency '${dependency.name}' ${why}: not waited for`);
        return why === null;
      });
      holdFor(records, dependencies, Date.now());
    },

    holdLike(records, sibling) {
      const entry = held.get(sibling);
      if (entry === undefined || !holds(sibling)) return false;
      if (records.length > 0) holdFor(records, entry.dependencies, entry.since);
      return true;
    },

    holds,

    unmetOf(record) {
      const entry = held.get(record);
      if (entry === undefined || record.status !== 'starting' || record.run) return null;
      return entry.dependencies.filter(
        (dependency) => judge(dependency, options.processesOf(dependency.name), entry.since).kind !== 'met',
      );
    },

    unmetNow(record) {
      for (const dependency of record.app.spec.dependsOn) {
        const records = options.processesOf(dependency.name);
        // no wait began: a recurring job stopped since is not started, whenever it last ran
        const verdict = judge(dependency, records, Number.POSITIVE_INFINITY);
        if (verdict.kind === 'failed') return verdict.reason;
        if (verdict.kind === 'wait')
          return `dependency '${dependency.name}' (${dependency.condition}) is ${dependencyState(dependency, records)}`;
      }
      return null;
    },

    close() {
      isClosed = true;
      held.clear();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/**
 * Why a restore starts an app without waiting for `dependency` (null: it waits): the dependency is not
 * in the daemon, or the restored state keeps it stopped or errored (nothing of it is starting), unless
 * it is of `autostart = false` and was never started.
 */
function restoredWithout(dependency: Dependency, records: ProcessRecord[]): string | null {
  if (records.length === 0) return 'is not in the daemon';
  // one of `autostart = false` is waited for until started by hand, also after a restore
  if (dependency.condition === 'completed_successfully' || records.some(isAwaitingStart)) return null;
  if (records.every((record) => record.status === 'stopped')) return 'is stopped, as restored';
  if (records.every((record) => record.status === 'stopped' || record.status === 'errored'))
    return 'is errored, as restored';
  return null;
}

/** Where one dependency stands, from the state of its processes. */
function judge(dependency: Dependency, records: ProcessRecord[], heldAt: number): Verdict {
  const name = dependency.name;
  if (records.length === 0) return failed(`dependency '${name}' is not in the daemon`);
  // `autostart = false`: it is there to be started by hand (`velos start <name>`), and its dependents wait for that
  if (records.some(isAwaitingStart)) return { kind: 'wait' };
  const isJob = records[0]!.app.spec.type === 'job';
  if (dependency.condition === 'completed_successfully') {
    if (!isJob) return failed(`dependency '${name}' is not a job, so it never completes`);
    return judgeCompletion(name, records[0]!);
  }
  if (records.some((r) => r.status === 'errored')) return failed(`dependency '${name}' errored`);
  if (isJob) {
    const record = records[0]!;
    if (record.status === 'online' || record.status === 'scheduled') return { kind: 'met' };
    const lastRun = latestRun(record);
    if (record.status === 'stopped' && lastRun !== null && lastRun.startedAt >= heldAt)
      return { kind: 'met' };
    // a one-shot is stopped once its run is over: it did start (a daemon restart used to fail its dependents)
    if (record.status === 'stopped' && isOneShotDone(record, lastRun)) return { kind: 'met' };
    return record.status === 'stopped' ? failed(`dependency '${name}' is stopped`) : { kind: 'wait' };
  }
  if (records.some((r) => r.status === 'stopped')) return failed(`dependency '${name}' is stopped`);
  if (!records.every((r) => r.status === 'online')) return { kind: 'wait' };
  if (dependency.condition === 'healthy' && !records.every(isReady)) return { kind: 'wait' };
  return { kind: 'met' };
}

function judgeCompletion(name: string, record: ProcessRecord): Verdict {
  if (record.status === 'starting' || record.status === 'online' || record.status === 'stopping')
    return { kind: 'wait' };
  const lastRun = latestRun(record);
  if (lastRun === null) {
    return record.status === 'scheduled' ? { kind: 'wait' } : failed(`dependency '${name}' has not run`);
  }
  if (lastRun.outcome === 'ok') return { kind: 'met' };
  if (lastRun.outcome === 'running') return { kind: 'wait' };
  const how =
    lastRun.outcome === 'timeout'
      ? 'timed out'
      : lastRun.outcome === 'spawn-error'
        ? 'failed to start'
        : lastRun.outcome === 'stopped'
          ? 'was stopped before it ended'
          : lastRun.outcome === 'interrupted'
            ? 'was interrupted by a daemon crash'
            : lastRun.outcome === 'unknown'
              ? 'ended under a daemon that took it over (after velos update or a crash), its exit code unknown'
              : lastRun.signal
                ? `was killed by ${lastRun.signal}`
                : `exited with code ${lastRun.exitCode}`;
  return failed(`dependency '${name}' did not complete successfully: its run ${lastRun.seq} ${how}`);
}

/**
 * An app of `autostart = false` as `velos start` added it (or a daemon restored it): stopped, with no
 * run ended (a job: none in its history) and no stop of the user since; a `velos stop` of it makes its
 * dependents fail instead.
 */
function isAwaitingStart(record: ProcessRecord): boolean {
  return (
    record.app.spec.autostart === false &&
    record.status === 'stopped' &&
    record.lastExitReason === null &&
    latestRun(record) === null
  );
}

/** SUP-11 readiness as the probe manager keeps it in `record.health`; without probes, online is ready. */
function isReady(record: ProcessRecord): boolean {
  return probesOf(record.app.spec).length === 0 || record.health?.ready === true;
}

/** True for a one-shot job (no schedule, no interval) whose latest run went to its end by itself. */
function isOneShotDone(record: ProcessRecord, lastRun: JobRun | null): boolean {
  const spec = record.app.spec;
  if (spec.schedule !== undefined || spec.intervalMs !== undefined || lastRun === null) return false;
  return ['ok', 'failed', 'timeout', 'unknown'].includes(lastRun.outcome);
}

function latestRun(record: ProcessRecord): JobRun | null {
  return record.job?.current ?? record.job?.history.latestRun() ?? null;
}

function failed(reason: string): Verdict {
  return { kind: 'failed', reason };
}
