import { type AlertRule, formatBytes, formatSpanMs, matchesEventKind, type VelosEvent } from '@velos/core';

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
}

/** Key of a rule's alerts that are not about an app. */
export const DAEMON_KEY = '*';

/** Creates the tracker of `rule`; `isTarget` tells whether an event's app or a process is the rule's target. */
export function createTracker(
  rule: AlertRule,
  isTarget: (app: string | undefined, id: number | undefined) => boolean,
): ConditionTracker {
  const when = rule.when;
  const keyOf = (event: VelosEvent): string => event.app ?? DAEMON_KEY;
  switch (when.kind) {
    case 'event':
    case 'log':
    case 'no_output': {
      const last = new Map<string, { at: number; message: string }>();
      const matches = (event: VelosEvent): boolean => {
        if (when.kind === 'event') return matchesEventKind(event.kind, when.kinds);
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
            if (now - hit.at < rule.resolveAfterMs) active.set(key, hit.message);
            else last.delete(key);
          }
          return active;
        },
        isWaiting: () => last.size > 0,
      };
    }
    case 'restarts': {
      const times = new Map<string, number[]>();
      return {
        isSampled: false,
        onEvent(event) {
          if (event.kind !== 'process.restarting' || !isTarget(event.app, event.id)) return;
          const list = times.get(keyOf(event)) ?? [];
          list.push(event.at);
          times.set(keyOf(event), list);
        },
        evaluate(now) {
          const active: ActiveKeys = new Map();
          for (const [key, list] of times) {
            while (list.length > 0 && now - list[0]! >= when.windowMs) list.shift();
            if (list.length === 0) times.delete(key);
            else if (list.length >= when.count) {
              active.set(key, `${key} restarted ${list.length} times within ${formatSpanMs(when.windowMs)}`);
            }
            // keep no more than the window needs: a crash loop of hours costs `count` entries per app
            if (list.length > when.count * 2) list.splice(0, list.length - when.count * 2);
          }
          return active;
        },
        isWaiting: () => times.size > 0,
      };
    }
    case 'job_failed': {
      const streaks = new Map<string, { count: number; message: string }>();
      return {
        isSampled: false,
        onEvent(event) {
          if (event.kind !== 'job.finished' || !isTarget(event.app, event.id)) return;
          const outcome = String(event.fields?.outcome ?? '');
          if (outcome === 'ok') streaks.delete(keyOf(event));
          // a run the user or the daemon's shutdown stopped says nothing either way: the streak stays
          else if (outcome !== '' && outcome !== 'running' && outcome !== 'stopped') {
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
      };
    }
    case 'daemon_degraded': {
      let degraded: string | null = null;
      return {
        isSampled: false,
        onEvent(event) {
          if (event.kind === 'daemon.degraded') degraded = event.message;
          else if (event.kind === 'daemon.recovered' || event.kind === 'daemon.started') degraded = null;
        },
        evaluate: () => (degraded === null ? new Map() : new Map([[DAEMON_KEY, degraded]])),
        isWaiting: () => false,
      };
    }
    default:
      return sampledTracker(rule, isTarget);
  }
}

/** errored, unhealthy, memory and cpu: read from the process table, per app (the worst instance). */
function sampledTracker(
  rule: AlertRule,
  isTarget: (app: string | undefined, id: number | undefined) => boolean,
): ConditionTracker {
  const when = rule.when;
  const check = (p: SampledProcess): string | null => {
    switch (when.kind) {
      case 'errored':
        // one errored before `velos update` or a daemon crash was alerted on by that daemon
        return p.status === 'errored' && !p.isStatusRestored ? `${p.name} (id ${p.id}) is errored` : null;
      case 'unhealthy':
        return p.health === 'unhealthy' ? `${p.name} (id ${p.id}) is unhealthy` : null;
      case 'memory':
        return p.memory > when.aboveBytes
          ? `${p.name} (id ${p.id}) uses ${formatBytes(p.memory)} of memory (above ${formatBytes(when.aboveBytes)})`
          : null;
      case 'cpu':
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
      for (const p of processes()) {
        if (active.has(p.name) || !isTarget(p.name, p.id)) continue;
        const why = check(p);
        if (why !== null) active.set(p.name, why);
      }
      return active;
    },
    isWaiting: () => false,
  };
}
