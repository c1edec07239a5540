import {
  type AlertRule,
  type ExitReason,
  formatBytes,
  formatSpanMs,
  isRequestedRestart,
  matchesEventKind,
  type VelosEvent,
} from '@velos/core';
import type { StaleComponent } from '../components/component-registry.js';

/** What the engine samples of a process for the state conditions (errored, unhealthy, memory, cpu). */
export interface SampledProcess {
  id: number;
  name: string;
  namespace: string;
  status: string;
  /** The status was brought back by a restore (an app errored under the previous daemon): not a new failure. */
  isStatusRestored?: boolean;
  health?: string;
  memory: number;
  cpu: number;
  /** False while `memory` is not yet measured for the current run (re-adopted or just started). */
  isMemoryKnown?: boolean;
  /** False while `cpu` is not yet measured for the current run (it takes two samples). */
  isCpuKnown?: boolean;
}

/** Which apps hold a rule's condition now, each with the line that says why. */
export type ActiveKeys = Map<string, string>;

/** Follows one rule's condition from events and samples. */
export interface ConditionTracker {
  /** True for the conditions read from the process table on a timer. */
  readonly isSampled: boolean;
  onEvent(event: VelosEvent): void;
  /** The keys whose condition holds at `now` (samples `processes` for the state conditions). */
  evaluate(now: number, processes: () => SampledProcess[]): ActiveKeys;
  /** True while time alone may change the answer (a window filling or emptying). */
  isWaiting(now: number): boolean;
  /**
   * Vouches that `key` held (with `message`) when the previous daemon last saved its alerts, until
   * this tracker has seen enough to tell again: the events of a window or of `resolve_after`, a job
   * run, the first samples of a process.
   */
  restore(key: string, message: string, now: number): void;
  /**
   * At the end of the daemon's start, the processes restored: drops restored keys that `processes`
   * shows to be gone for good (a job the new daemon no longer has, whose streak no run can end).
   */
  endRestore?(processes: readonly SampledProcess[]): void;
}

/**
 * Restart times a `restarts` rule keeps per app (or its N, if larger): every restart of the window
 * counts in its message (`restarted 8 times`), up to this many (`at least 1000`).
 */
const RESTART_TIMES_KEPT = 1000;

/**
 * `job.finished` outcomes that neither count in a `job failed` streak nor end it: a run still going, one
 * stopped on purpose, and one whose exit code a new daemon could not know (`unknown`).
 */
const NEUTRAL_OUTCOMES: ReadonlySet<string> = new Set(['running', 'stopped', 'unknown']);

/** Key of a rule's alerts that are not about an app. */
export const DAEMON_KEY = '*';

/**
 * Creates the tracker of `rule`; `isTarget` tells whether an event's app or a process is the rule's
 * target; `staleComponents` gives the outside components stale now (the registry's, for a restore).
 */
export function createTracker(
  rule: AlertRule,
  isTarget: (app: string | undefined, id: number | undefined) => boolean,
  staleComponents: () => readonly StaleComponent[] = () => [],
  options: TrackerOptions = {},
): ConditionTracker {
  const when = rule.when;
  const keyOf = (event: VelosEvent): string => event.app ?? DAEMON_KEY;
  switch (when.kind) {
    case 'event':
    case 'log':
    case 'no_output': {
      const last = new Map<string, { at: number; message: string }>();
      const matches = (event: VelosEvent): boolean => {
        if (when.kind === 'event') return matchesEventKind(event, when.kinds);
        if (when.kind === 'log') {
          return when.signal === 'any'
            ? event.kind === 'log.anomaly' || event.kind === 'log.error_burst'
            : event.kind === `log.${when.signal}`;
        }
        return (
          event.kind === 'process.watchdog' ||
          (event.kind === 'process.exited' && event.fields?.reason === 'inactivity')
        );
      };
      return {
        isSampled: false,
        onEvent(event) {
          if (matches(event) && isTarget(event.app, event.id))
            last.set(keyOf(event), { at: event.at, message: event.message });
        },
        evaluate(now) {
          const active: ActiveKeys = new Map();
          for (const [key, hit] of last) {
            // an event of a time later than now (the clock stepped back) came now: it resolves
            // resolve_after from now, not once the clock is back to it
            if (hit.at > now) hit.at = now;
            if (now - hit.at < rule.resolveAfterMs) active.set(key, hit.message);
            else last.delete(key);
          }
          return active;
        },
        isWaiting: () => last.size > 0,
        // as if the event that made it hold came at the restore: it resolves resolve_after later unless renewed
        restore(key, message, now) {
          if (!last.has(key)) last.set(key, { at: now, message });
        },
      };
    }
    case 'restarts': {
      const times = new Map<string, number[]>();
      /** Per app, the newest restart time dropped from `times` to bound it (its count is then a floor). */
      const cutUntil = new Map<string, number>();
      const kept = Math.max(RESTART_TIMES_KEPT, when.count);
      /** Restored keys: the restarts before the restore are not known, so they hold for one window. */
      const held = new Map<string, { until: number; message: string }>();
      /** Apps whose cluster primary exited and whose restarts it caused are not counted yet. */
      const primaryExits = new Set<string>();
      return {
        isSampled: false,
        onEvent(event) {
          if (event.kind === 'process.primary_exited') primaryExits.add(keyOf(event));
          if (event.kind !== 'process.restarting' || !isTarget(event.app, event.id)) return;
          // a restart asked for (`velos restart` of a cluster's workers, a watched file, cron_restart) is
          // no storm: it is in `velos_process_restart_total`, not in this condition
          if (isRequestedRestart(event.fields?.reason as ExitReason | null | undefined)) return;
          // a primary's exit restarts every worker of the app: one restart of the app, not one per worker
          if (event.fields?.reason === 'primary-exit' && !primaryExits.delete(keyOf(event))) return;
          const list = times.get(keyOf(event)) ?? [];
          list.push(event.at);
          times.set(keyOf(event), list);
        },
        evaluate(now) {
          const active: ActiveKeys = new Map();
          for (const [key, list] of times) {
            // restarts of a time later than now (the clock stepped back) came now: they leave the window
            // one window from now, not once the clock is back to them (the list stays in order)
            for (let i = list.length - 1; i >= 0 && list[i]! > now; i -= 1) list[i] = now;
            if ((cutUntil.get(key) ?? 0) > now) cutUntil.set(key, now);
            while (list.length > 0 && now - list[0]! >= when.windowMs) list.shift();
            // a crash loop of hours keeps at most `kept` times per app; past that, the count is a floor
            // until the times dropped leave the window
            if (list.length > kept) {
              const cut = list.splice(0, list.length - kept);
              cutUntil.set(key, cut[cut.length - 1]!);
            }
            const cutAt = cutUntil.get(key);
            const isFloor = cutAt !== undefined && now - cutAt < when.windowMs;
            if (cutAt !== undefined && !isFloor) cutUntil.delete(key);
            if (list.length === 0) times.delete(key);
            else if (list.length >= when.count) {
              const count = isFloor ? `at least ${list.length}` : String(list.length);
              const howOften = list.length === 1 && !isFloor ? 'once' : `${count} times`;
              active.set(key, `${key} restarted ${howOften} within ${formatSpanMs(when.windowMs)}`);
            }
          }
          for (const [key, hold] of held) {
            hold.until = Math.min(hold.until, now + when.windowMs);
            if (now >= hold.until) held.delete(key);
            else if (!active.has(key)) active.set(key, hold.message);
          }
          return active;
        },
        isWaiting: () => times.size > 0 || held.size > 0,
        restore(key, message, now) {
          held.set(key, { until: now + when.windowMs, message });
        },
      };
    }
    case 'job_failed': {
      const streaks = new Map<string, { count: number; message: string }>();
      /** Keys restored and not heard of since: the job may be gone from the new daemon. */
      const restored = new Set<string>();
      return {
        isSampled: false,
        onEvent(event) {
          // a deleted job runs no more: no run can end its streak, so the deletion does (a job is one
          // process; the streak is known by the app name, which a deleted namespace target no longer finds)
          if (event.kind === 'process.deleted') streaks.delete(keyOf(event));
          if (event.kind !== 'job.finished' || !isTarget(event.app, event.id)) return;
          restored.delete(keyOf(event));
          const outcome = String(event.fields?.outcome ?? '');
          if (outcome === 'ok') streaks.delete(keyOf(event));
          // a run the user or the daemon's shutdown stopped says nothing either way, nor does one whose
          // exit a new daemon could not know (taken over after `velos update` or a crash): the streak stays
          else if (outcome !== '' && !NEUTRAL_OUTCOMES.has(outcome)) {
            const count = (streaks.get(keyOf(event))?.count ?? 0) + 1;
            streaks.set(keyOf(event), {
              count,
              message: `${keyOf(event)} failed ${count} time(s) in a row: ${event.message}`,
            });
          }
        },
        evaluate() {
          const active: ActiveKeys = new Map();
          for (const [key, streak] of streaks)
            if (streak.count >= when.count) active.set(key, streak.message);
          return active;
        },
        isWaiting: () => false,
        // the streak goes on: a failure adds to it, a successful run ends it
        restore(key, message) {
          if (streaks.has(key)) return;
          streaks.set(key, { count: when.count, message });
          restored.add(key);
        },
        // a job the new daemon does not have (deleted while it was away, or not restored) never runs
        // again: as a deletion does, that ends its streak
        endRestore(processes) {
          const names = new Set(processes.filter((p) => isTarget(p.name, p.id)).map((p) => p.name));
          for (const key of restored) if (!names.has(key)) streaks.delete(key);
          restored.clear();
        },
      };
    }
    case 'daemon_degraded': {
      let degraded: string | null = null;
      /** Set while a restored degraded state waits for this daemon's own word (0: none). */
      let heldUntil = 0;
      return {
        isSampled: false,
        onEvent(event) {
          if (event.kind === 'daemon.degraded') degraded = event.message;
          else if (event.kind === 'daemon.recovered' || event.kind === 'daemon.started') degraded = null;
          else return;
          heldUntil = 0;
        },
        evaluate(now) {
          if (heldUntil > 0 && now >= heldUntil) {
            degraded = null;
            heldUntil = 0;
          }
          return degraded === null ? new Map() : new Map([[DAEMON_KEY, degraded]]);
        },
        isWaiting: () => heldUntil > 0,
        // a new daemon says `daemon.degraded` only once its own checks find it so (within resolve_after)
        restore(_key, message, now) {
          if (degraded !== null) return;
          degraded = message;
          heldUntil = now + rule.resolveAfterMs;
        },
      };
    }
    case 'component_stale':
      return componentTracker(isTarget, staleComponents);
    default:
      return sampledTracker(rule, isTarget, options);
  }
}

/**
 * `component stale`: outside components (OBS-2) that stopped reporting, from `component.stale` until
 * the component reports again (`component.recovered`) or is removed (`component.removed`). Kept per
 * app as the other conditions: the stale components of one app (or of none: the daemon's key) are one
 * alert, whose message names them all; it resolves once none of them is stale. A component stale
 * before a daemon restart stays stale without a new event: a restored key takes the components of
 * its key that the registry restored stale, and resolves once none of them is stale. When the
 * registry knows none (components.json lost, or saved before they went stale), the saved alert is all
 * this daemon knows: it holds until a component of its key goes stale, recovers or is removed.
 */
function componentTracker(
  isTarget: (app: string | undefined, id: number | undefined) => boolean,
  staleComponents: () => readonly StaleComponent[],
): ConditionTracker {
  /** Stale components by name: the alert's key (their app) and what the event said. */
  const stale = new Map<string, { key: string; message: string }>();
  const held = new Map<string, string>();
  return {
    isSampled: false,
    onEvent(event) {
      const name = event.fields?.component;
      if (typeof name !== 'string' || !event.kind.startsWith('component.')) return;
      if (event.kind === 'component.stale') {
        if (isTarget(event.app, event.id))
          stale.set(name, { key: event.app ?? DAEMON_KEY, message: event.message });
      } else if (event.kind === 'component.recovered' || event.kind === 'component.removed') {
        stale.delete(name);
      } else {
        return;
      }
      held.delete(event.app ?? DAEMON_KEY);
    },
    evaluate() {
      const messages = new Map<string, string[]>();
      for (const { key, message } of stale.values()) {
        const list = messages.get(key);
        if (list === undefined) messages.set(key, [message]);
        else list.push(message);
      }
      const active: ActiveKeys = new Map();
      for (const [key, list] of messages) active.set(key, list.join('; '));
      for (const [key, message] of held) if (!active.has(key)) active.set(key, message);
      return active;
    },
    isWaiting: () => false,
    restore(key, message) {
      let isKnown = false;
      for (const component of staleComponents()) {
        if ((component.app ?? DAEMON_KEY) !== key || !isTarget(component.app, undefined)) continue;
        isKnown = true;
        if (!stale.has(component.name)) stale.set(component.name, { key, message: component.message });
      }
      if (!isKnown && !held.has(key)) held.set(key, message);
    },
  };
}

/** How a tracker reads what a daemon's restore brought back. */
export interface TrackerOptions {
  /**
   * The rule was added after the daemon's start restored its rules and alerts (`velos alerts add`, a
   * config file started or reloaded later): an `errored` status the restore brought back is news to
   * it (the previous daemon's rules told of it, this one did not exist), so it fires.
   */
  isAfterRestore?: boolean;
}

/** What a sampled condition says of a process whose figures or status are not known yet. */
const UNKNOWN = Symbol('unknown');

/** Statuses of a process that runs, or is being run again (a restart, a liveness restart's new run). */
const RUNNING: ReadonlySet<string> = new Set(['starting', 'online', 'waiting-restart']);

/**
 * errored, unhealthy, memory and cpu: read from the process table, per app (the worst instance). A
 * restored key holds while its processes are not known yet (not sampled, no probe verdict, an errored
 * status the restore brought back): only this daemon's own figures resolve it.
 */
function sampledTracker(
  rule: AlertRule,
  isTarget: (app: string | undefined, id: number | undefined) => boolean,
  options: TrackerOptions,
): ConditionTracker {
  const when = rule.when;
  const held = new Map<string, string>();
  /**
   * Processes found unhealthy whose probes have not passed since, by id: the liveness restart that
   * follows an unhealthy verdict makes the health `unknown`, then `degraded` while the new run starts,
   * and neither is a recovery. It ends when the probes pass, or when the process stops running (a
   * stop, errored) or goes away.
   */
  const unhealthy = new Map<number, string>();
  const checkHealth = (p: SampledProcess): string | null | typeof UNKNOWN => {
    if (p.health === 'unhealthy') {
      const message = `${p.name} (id ${p.id}) is unhealthy`;
      unhealthy.set(p.id, message);
      return message;
    }
    const since = unhealthy.get(p.id);
    if (since !== undefined && p.health !== 'healthy' && RUNNING.has(p.status)) return since;
    unhealthy.delete(p.id);
    return p.health === 'unknown' ? UNKNOWN : null;
  };
  const check = (p: SampledProcess): string | null | typeof UNKNOWN => {
    switch (when.kind) {
      case 'errored':
        if (p.status !== 'errored') return null;
        // one errored before `velos update` or a daemon crash was alerted on by that daemon, by the rules
        // it had: the alert this rule had firing for it is held, not sent again; a rule that never told
        // of it (added after the restore, or while no daemon ran: config.toml) fires
        return p.isStatusRestored && !options.isAfterRestore && held.has(p.name)
          ? UNKNOWN
          : `${p.name} (id ${p.id}) is errored`;
      case 'unhealthy':
        return checkHealth(p);
      case 'memory':
        if (p.isMemoryKnown === false) return UNKNOWN;
        return p.memory > when.aboveBytes
          ? `${p.name} (id ${p.id}) uses ${formatBytes(p.memory)} of memory (above ${formatBytes(when.aboveBytes)})`
          : null;
      case 'cpu':
        if (p.isCpuKnown === false) return UNKNOWN;
        return p.cpu > when.abovePercent
          ? `${p.name} (id ${p.id}) uses ${Math.round(p.cpu)}% CPU (above ${when.abovePercent}%)`
          : null;
      default:
        return null;
    }
  };
  return {
    isSampled: true,
    onEvent: () => undefined,
    evaluate(_now, processes) {
      const active: ActiveKeys = new Map();
      const unknown = new Set<string>();
      const sampled = processes();
      if (unhealthy.size > 0) {
        const ids = new Set(sampled.map((p) => p.id));
        for (const id of unhealthy.keys()) if (!ids.has(id)) unhealthy.delete(id);
      }
      for (const p of sampled) {
        if (!isTarget(p.name, p.id)) continue;
        // every instance is checked: an unhealthy one is remembered even when another already holds
        const why = check(p);
        if (active.has(p.name)) continue;
        if (why === UNKNOWN) unknown.add(p.name);
        else if (why !== null) active.set(p.name, why);
      }
      for (const [key, message] of held) {
        if (active.has(key) || !unknown.has(key)) held.delete(key);
        else active.set(key, message);
      }
      return active;
    },
    isWaiting: () => false,
    restore(key, message) {
      held.set(key, message);
    },
  };
}
