import {
  type AlertDelivery,
  type AlertPhase,
  type AlertRule,
  type AlertStatus,
  alertNameClash,
  describeRuleCondition,
  ErrorCodes,
  VelosError,
  type VelosEvent,
} from '@velos/core';
import type { StaleComponent } from '../components/component-registry.js';
import type { EventBus } from '../events/event-bus.js';
import { channelKey } from './alert-delivery.js';
import { channelsOf, createNotifier, type RuleState } from './alert-notifier.js';
import { createAlertPersistence } from './alert-persistence.js';
import { type InstanceState, newInstance, step, type Transition } from './alert-state.js';
import { firingAlertsFromEvents } from './alert-state-from-events.js';
import { readAlerts, writeAlerts } from './alert-store.js';
import { createTracker, type SampledProcess } from './condition-tracker.js';
import { type ComponentHealth, createDeliveryHealth } from './delivery-health.js';

/** What the engine needs from the supervisor. */
export interface AlertEngineHost {
  home: string;
  bus: EventBus;
  /** The processes as they are now (sampled only while a rule needs them). */
  processes(): SampledProcess[];
  /** True when an event's or a process's app (or id) is selected by `target` (name, namespace or id). */
  matchesTarget(target: string, app: string | undefined, id: number | undefined): boolean;
  /** The outside components stale now (OBS-2), for a restored `component stale` alert; none if omitted. */
  staleComponents?(): readonly StaleComponent[];
  log(line: string): void;
}

/** OBS-3: the rules, their state per app, and the delivery of their notifications. */
export interface AlertEngine {
  list(): AlertStatus[];
  add(rule: AlertRule): AlertStatus;
  remove(name: string): AlertRule;
  test(name: string): Promise<AlertDelivery[]>;
  /** Replaces the rules of `source`; `isPersistent: false` keeps them out of `alerts.json` (config.toml's). */
  setRules(source: string, rules: AlertRule[], isPersistent?: boolean): AlertStatus[];
  /** Loads `alerts.json`. */
  loadSaved(): void;
  /**
   * At the daemon's start, before any rule: reads `alert-state.json`, so that a rule of the same name
   * and definition added before `endRestore` goes on with the alerts it had firing (not sent again).
   */
  restoreState(): void;
  /** Ends the start: saved alerts no rule took (removed or changed while the daemon was away) are dropped. */
  endRestore(): void;
  deliveryHealth(): ComponentHealth;
  close(): void;
}

/** Slowest and fastest re-evaluation of time-bound conditions. */
const MAX_TICK_MS = 1000;
const MIN_TICK_MS = 20;
/** Resolved alerts kept per rule for `velos alerts`. */
const MAX_KEPT_INSTANCES = 50;
const PHASE_ORDER: AlertPhase[] = ['ok', 'resolved', 'pending', 'firing'];
/** Rule names an unknown name's error lists (then "and N more"). */
const KNOWN_RULES_SHOWN = 10;

/** Creates the engine and subscribes it to the bus. */
export function createAlertEngine(host: AlertEngineHost): AlertEngine {
  const states = new Map<string, RuleState>();
  const transientSources = new Set<string>();
  const health = createDeliveryHealth();
  const { notify, send, retell, queueOf } = createNotifier({
    bus: host.bus,
    log: host.log,
    health,
    // the last delivery is kept for `velos alerts` after a restart (called after the persistence exists)
    onDelivered: () => {
      if (!isClosed) persistence.save(states.values());
    },
  });
  const persistence = createAlertPersistence(host.home, host.log, () => firingAlertsFromEvents(host.bus));
  let timer: NodeJS.Timeout | null = null;
  let isEvaluating = false;
  let isAgain = false;
  let isClosed = false;
  /** Between `restoreState` and `endRestore` (the daemon's start): rules added meanwhile existed before it. */
  let isRestoring = false;

  const onEvent = (event: VelosEvent): void => {
    for (const state of states.values()) {
      if (event.kind.startsWith('alert.') && event.fields?.rule === state.rule.name) continue;
      state.tracker.onEvent(event);
    }
    evaluate();
  };
  const unsubscribe = host.bus.published.subscribe(onEvent);

  function stateOf(rule: AlertRule, previous?: RuleState): RuleState {
    if (previous && JSON.stringify(previous.rule) === JSON.stringify(rule)) return previous;
    const target = rule.app;
    const tracker = createTracker(
      rule,
      (app, id) => target === undefined || host.matchesTarget(target, app, id),
      () => host.staleComponents?.() ?? [],
      { isAfterRestore: !isRestoring },
    );
    const state = { rule, tracker, instances: new Map(), lastDelivery: null, untold: new Map() };
    const queue = queueOf(state, {
      onFirstDrop: (max) =>
        host.log(
          `alert ${rule.name}: its channels are behind (${max} notifications waiting): the oldest waiting are dropped until they catch up`,
        ),
      onDrained: (count) =>
        host.log(`alert ${rule.name}: its channels caught up; ${count} notification(s) were dropped unsent`),
    });
    return Object.assign(state, { queue });
  }

  /** Runs every rule's state machine; notifications are sent after the pass (they publish events). */
  function evaluate(): void {
    if (isClosed) return;
    if (isEvaluating) {
      isAgain = true;
      return;
    }
    isEvaluating = true;
    try {
      do {
        isAgain = false;
        const now = Date.now();
        let sampled: SampledProcess[] | null = null;
        const processes = (): SampledProcess[] => (sampled ??= host.processes());
        const sends: [RuleState, InstanceState, Exclude<Transition, null>][] = [];
        let isPhaseChanged = false;
        for (const state of states.values()) {
          const active = state.tracker.evaluate(now, processes);
          const keys = new Set([...state.instances.keys(), ...active.keys()]);
          for (const key of keys) {
            const instance = state.instances.get(key) ?? newInstance(key, now);
            state.instances.set(key, instance);
            const phase = instance.phase;
            const transition = step(state.rule, instance, active.get(key) ?? null, now);
            if (transition) sends.push([state, instance, transition]);
            if (instance.phase !== phase) isPhaseChanged = true;
            if (instance.phase === 'ok') state.instances.delete(key);
          }
          trimResolved(state);
        }
        for (const [state, instance, transition] of sends) notify(state, instance, transition, now);
        // pending alerts are saved too (entering and leaving pending sends nothing)
        if (sends.length > 0 || isPhaseChanged) persistence.save(states.values());
      } while (isAgain);
    } finally {
      isEvaluating = false;
    }
    schedule();
  }

  function trimResolved(state: RuleState): void {
    if (state.instances.size <= MAX_KEPT_INSTANCES) return;
    const resolved = [...state.instances.values()]
      .filter((i) => i.phase === 'resolved')
      .sort((a, b) => a.since - b.since);
    for (const instance of resolved.slice(0, state.instances.size - MAX_KEPT_INSTANCES))
      state.instances.delete(instance.key);
  }

  /** Keeps the timer only while something may change with time alone. */
  function schedule(): void {
    const now = Date.now();
    let tick = Number.POSITIVE_INFINITY;
    for (const state of states.values()) {
      const isBusy = [...state.instances.values()].some((i) => i.phase === 'pending' || i.phase === 'firing');
      if (state.tracker.isSampled || isBusy || state.tracker.isWaiting(now))
        tick = Math.min(tick, tickOf(state.rule));
    }
    if (timer) clearTimeout(timer);
    timer = null;
    if (tick === Number.POSITIVE_INFINITY || isClosed) return;
    timer = setTimeout(evaluate, tick);
    timer.unref();
  }

  function statusOf(state: RuleState): AlertStatus {
    const instances = [...state.instances.values()].map(
      ({ activeSince: _a, lastSentAt: _l, firingSince: _f, ...rest }) => rest,
    );
    let phase: AlertPhase = 'ok';
    for (const instance of instances) {
      if (PHASE_ORDER.indexOf(instance.phase) > PHASE_ORDER.indexOf(phase)) phase = instance.phase;
    }
    // firing (pending) since the first of its alerts fired; resolved since the last one resolved: the
    // rule fired until then, whichever alert the map lists first
    const times = instances.filter((i) => i.phase === phase).map((i) => i.since);
    const since = times.length === 0 ? null : phase === 'resolved' ? Math.max(...times) : Math.min(...times);
    return { rule: state.rule, phase, since, instances, lastDelivery: state.lastDelivery };
  }

  function persist(next: Map<string, RuleState>): void {
    const rules = [...next.values()].map((s) => s.rule).filter((rule) => !transientSources.has(rule.source));
    try {
      writeAlerts(host.home, rules);
    } catch (error) {
      throw new VelosError(ErrorCodes.IO_ERROR, `cannot save the alert rules: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  function commit(next: Map<string, RuleState>, shouldPersist: boolean): void {
    if (shouldPersist) persist(next);
    const previous = new Set(states.values());
    states.clear();
    for (const [name, state] of next) states.set(name, state);
    for (const state of previous) {
      if (next.get(state.rule.name) === state) continue;
      // a rule removed or changed: what waits for its old channels (a receiver down) is not sent
      const dropped = state.queue.clear();
      if (dropped > 0)
        host.log(
          `alert ${state.rule.name}: removed or changed: ${dropped} waiting notification(s) dropped unsent`,
        );
    }
    for (const state of states.values()) if (!previous.has(state)) claim(state);
    retainHealth();
    evaluate();
    persistence.save(states.values());
  }

  /** Gives a new rule its alerts of the previous daemon, and sends what that daemon had not sent of them. */
  function claim(state: RuleState): void {
    for (const instance of persistence.claim(state)) retell(state, instance);
  }

  /** Forgets the delivery failures of channels no rule uses any more (a rule removed, replaced or reloaded away). */
  function retainHealth(): void {
    health.retain(new Set([...states.values()].flatMap((s) => channelsOf(s.rule, true).map(channelKey))));
  }

  function find(name: string): RuleState {
    const state = states.get(name);
    if (!state) {
      const known = [...states.keys()];
      const more =
        known.length > KNOWN_RULES_SHOWN
          ? ` and ${known.length - KNOWN_RULES_SHOWN} more; velos alerts lists them all`
          : '';
      const rules = known.length
        ? ` (rules: ${known.slice(0, KNOWN_RULES_SHOWN).join(', ')}${more})`
        : ' (there are no rules)';
      throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no alert rule is called '${name}'${rules}`, {
        data: { name },
      });
    }
    return state;
  }

  return {
    list: () => [...states.values()].map(statusOf),

    add(rule) {
      if (states.has(rule.name)) {
        throw new VelosError(
          ErrorCodes.NAME_IN_USE,
          `an alert rule called '${rule.name}' exists already (from ${states.get(rule.name)!.rule.source}); remove it first`,
        );
      }
      const next = new Map(states).set(rule.name, stateOf(rule));
      commit(next, !transientSources.has(rule.source));
      return statusOf(states.get(rule.name)!);
    },

    remove(name) {
      const state = find(name);
      const next = new Map(states);
      next.delete(name);
      commit(next, true);
      return state.rule;
    },

    async test(name) {
      const state = find(name);
      const now = Date.now();
      return send(state, channelsOf(state.rule, true), {
        status: 'test',
        rule: state.rule,
        key: state.rule.app ?? '*',
        severity: state.rule.severity,
        message: `test notification of rule ${name} (${describeRuleCondition(state.rule)})`,
        since: now,
        at: now,
        repeat: 0,
        isEscalated: false,
      });
    },

    setRules(source, rules, isPersistent = true) {
      const clash = alertNameClash(
        source,
        rules,
        [...states.values()].map((state) => state.rule),
      );
      if (clash) throw clash;
      const next = new Map<string, RuleState>();
      for (const [name, state] of states) if (state.rule.source !== source) next.set(name, state);
      for (const rule of rules) next.set(rule.name, stateOf({ ...rule, source }, states.get(rule.name)));
      const wasTransient = transientSources.has(source);
      if (isPersistent) transientSources.delete(source);
      else transientSources.add(source);
      commit(next, isPersistent || !wasTransient);
      return [...states.values()].filter((s) => s.rule.source === source).map(statusOf);
    },

    loadSaved() {
      const { rules, problems } = readAlerts(host.home);
      for (const problem of problems) host.log(`alerts: ${problem}`);
      for (const rule of rules) {
        if (states.has(rule.name)) continue;
        const state = stateOf(rule);
        states.set(rule.name, state);
        claim(state);
      }
      if (rules.length > 0) host.log(`alerts: ${rules.length} rule(s) restored from alerts.json`);
      retainHealth();
      evaluate();
      persistence.save(states.values());
    },

    restoreState() {
      isRestoring = true;
      persistence.load();
    },
    endRestore() {
      isRestoring = false;
      persistence.end(states.values());
      // the processes are restored by now: a restored alert about one that is gone can resolve
      const processes = host.processes();
      for (const state of states.values()) state.tracker.endRestore?.(processes);
      evaluate();
    },

    deliveryHealth: () => health.status(),

    close() {
      isClosed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}

/** A quarter of the rule's shortest time span, within 20 ms…1 s. */
function tickOf(rule: AlertRule): number {
  const spans = [rule.forMs, rule.repeatMs, rule.escalation?.afterMs, rule.resolveAfterMs];
  if (rule.when.kind === 'restarts') spans.push(rule.when.windowMs);
  const shortest = Math.min(
    ...spans.filter((ms): ms is number => ms !== undefined && ms > 0),
    MAX_TICK_MS * 4,
  );
  return Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, Math.floor(shortest / 4)));
}
