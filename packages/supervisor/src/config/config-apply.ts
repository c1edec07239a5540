import {
  type AppSpec,
  type ExitReason,
  isRequestedRestart,
  type ProcessInfo,
  type VelosControl,
} from '@velos/core';
import { changeEffect, isInPlace } from './spec-keys.js';

/** What applying specs needs from the supervisor. */
export interface ApplyDeps {
  control: Pick<VelosControl, 'start' | 'stop' | 'delete' | 'reload' | 'list'>;
  /** True when a process of the app runs (or is about to). */
  isRunning(name: string): boolean;
  /** Resolves once the stops, restarts and deletes already queued on the app's processes have ended. */
  settled(name: string): Promise<void>;
  /** Gives the app its new spec in place: no process restarts; probes, watchdog and cron_restart follow it. */
  setSpec(name: string, spec: AppSpec): void;
  /**
   * Sets the app's instance count as `velos scale` does (instances added or removed, the others keep
   * running), but as the file's count: not recorded as a run-time scale.
   */
  scale(name: string, instances: number): Promise<void>;
}

/**
 * How `replaceSpec` gave an app its new spec: in place (no process touched), by a change of its
 * instance count only (the instances that stay are not touched), or with new processes.
 */
export type ReplaceOutcome = 'updated' | 'scaled' | 'restarted';

/**
 * CFG-2: runs the app `after.name` with its new spec. A change of policy keys only (`SPEC_KEY_EFFECTS`:
 * kill_timeout, max_memory, probes…; a job's run and schedule keys, see `changeEffect`) is applied in
 * place, the processes keep running; a change of the
 * instance count (beside such keys) adds or removes instances and leaves the others running; otherwise
 * a running cluster app whose change needs no new processes or log pipelines is reloaded (zero
 * downtime; scaled before the reload when it has fewer instances, after it when more), another running
 * app is stopped and started again, an errored service is started with it, a stopped app only takes
 * the spec (started and stopped again when new pipelines are needed), unless `isStartWanted` (a
 * rollback of an app that ran) starts it.
 */
export async function replaceSpec(
  deps: ApplyDeps,
  before: AppSpec,
  after: AppSpec,
  options: { isStartWanted?: boolean } = {},
): Promise<ReplaceOutcome> {
  const name = after.name;
  const effect = changeEffect(before, after);
  // a `velos stop` still waiting for its process to exit leaves the app stopped: it only takes the spec
  await deps.settled(name);
  if (!deps.isRunning(name) && options.isStartWanted) {
    // a rollback: the app ran before the change, it runs its previous spec again (errored or not)
    await deps.control.start([after]);
    return 'restarted';
  }
  if (isInPlace(effect)) {
    deps.setSpec(name, after);
    return 'updated';
  }
  // the other keys go to the instances there are; the scale then adds (with them) or removes instances
  const kept: AppSpec = { ...after, instances: before.instances };
  const rescale = async (): Promise<void> => {
    if (after.instances !== before.instances) await deps.scale(name, after.instances);
  };
  if (effect === 'scale') {
    deps.setSpec(name, kept);
    await rescale();
    return 'scaled';
  }
  if (!deps.isRunning(name)) {
    if (after.type !== 'job' && (await isErrored(deps, name))) {
      // an errored service (it could not spawn, or crashed past max_restarts) runs its new definition:
      // editing the file is how its user fixes it, and `velos start <file>` refuses an app it has
      await deps.control.start([after]);
      return 'restarted';
    }
    if (effect !== 'pipeline') {
      deps.setSpec(name, kept);
      await rescale();
    } else {
      await deps.control.start([after]);
      await deps.control.stop(name);
    }
    return 'restarted';
  }
  if (effect === 'spawn' && after.execMode === 'cluster') {
    deps.setSpec(name, kept);
    // no instance is started only to be reloaded or removed right after
    if (after.instances < before.instances) await rescale();
    await deps.control.reload(name);
    if (after.instances > before.instances) await rescale();
    return 'restarted';
  }
  await deps.control.stop(name);
  await deps.control.start([after]);
  return 'restarted';
}

/** True when a process of the app is `errored` (none runs: `isRunning` said so first). */
async function isErrored(deps: ApplyDeps, name: string): Promise<boolean> {
  return (await deps.control.list()).some((p) => p.name === name && p.status === 'errored');
}

/** How often the processes of changed apps are looked at during the grace period. */
const GRACE_POLL_MS = 200;
/** Smallest grace period: a change must hold this long before a reload counts as done. */
export const MIN_RELOAD_GRACE_MS = 5000;

/**
 * CFG-2: watches the processes of `names` for `graceMs` and resolves why each app that failed did:
 * errored, restarted (a crash loop shows as its first restart; the reason says why; a restart asked for
 * from outside does not count, see `isOutsideRestart`), unhealthy per its liveness probe, or not online
 * at the end (services only; one the user stopped meanwhile is left stopped). An app that fails is not
 * watched further.
 */
export async function watchGrace(
  control: Pick<VelosControl, 'list'>,
  names: readonly string[],
  graceMs: number,
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  if (names.length === 0) return failures;
  const baseline = new Map<number, number>();
  for (const p of await control.list()) if (names.includes(p.name)) baseline.set(p.id, p.restarts);
  const deadline = Date.now() + graceMs;
  for (;;) {
    const isLast = Date.now() >= deadline;
    const processes = await control.list();
    for (const name of names) {
      if (failures.has(name)) continue;
      const reason = failureOf(
        processes.filter((p) => p.name === name),
        baseline,
        isLast,
      );
      if (reason !== null) failures.set(name, reason);
    }
    if (isLast || failures.size === names.length) return failures;
    await new Promise((resolve) => setTimeout(resolve, Math.min(GRACE_POLL_MS, deadline - Date.now() + 1)));
  }
}

function failureOf(processes: ProcessInfo[], baseline: Map<number, number>, isLast: boolean): string | null {
  for (const p of processes) {
    const exit = p.exitCode !== null && p.exitCode !== undefined ? ` (exit code ${p.exitCode})` : '';
    if (p.status === 'errored') return `process ${p.id} errored${exit}`;
    const before = baseline.get(p.id) ?? 0;
    if (p.restarts === before + 1 && isOutsideRestart(p.lastExitReason)) {
      // Asked for from outside (the user, a watched file, the cron): says nothing of the new spec.
      baseline.set(p.id, p.restarts);
    } else if (p.restarts > before) {
      return `process ${p.id} ${restartCause(p.lastExitReason)}${exit}`;
    }
    if (p.health?.state === 'unhealthy') {
      return `process ${p.id} is unhealthy: ${p.health.lastFailure?.reason ?? 'its liveness probe fails'}`;
    }
  }
  if (isLast) {
    const down = processes.find(
      (p) =>
        p.status !== 'online' &&
        p.job === undefined &&
        !(p.status === 'stopped' && p.lastExitReason === 'user'),
    );
    if (down) return `process ${down.id} is ${down.status}, not online`;
  }
  return null;
}

/**
 * Restarts the app did not cause: `velos restart`/`reload`, a watched file, `cron_restart`, its cluster
 * primary's exit (`primary-exit`: the primary runs none of the app's spec). One of them alone since the
 * last look is not held against the new spec; with any other restart beside it (the count rose by more
 * than one) the change still fails, since only the last restart's reason is known.
 */
function isOutsideRestart(reason: ExitReason | null): boolean {
  return isRequestedRestart(reason) || reason === 'primary-exit';
}

/** What a restart during the grace period was, by the last exit's reason: not every restart is a crash. */
function restartCause(reason: ExitReason | null): string {
  switch (reason) {
    case 'exit':
      return 'exited by itself and was restarted';
    case 'memory':
      return 'went over its memory limit and was restarted';
    case 'unhealthy':
      return 'failed its liveness probe and was restarted';
    case 'timeout':
      return 'timed out and was restarted';
    case 'spawn-error':
      return 'could not be spawned and was tried again';
    case 'unknown':
      return 'exited (how is unknown) and was restarted';
    case 'primary-exit':
      return 'ended with its cluster primary and was restarted';
    case 'crash':
    case null:
      return 'crashed and was restarted';
    default:
      return `was restarted (${reason})`;
  }
}
