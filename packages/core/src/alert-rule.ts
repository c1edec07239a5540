import type { EventSeverity } from './events.js';

/**
 * OBS-3: what a rule watches, resolved. Event-like conditions (`event`, `log`, `no_output`) hold
 * while a matching event arrived within the rule's `resolveAfterMs`; the others hold while the
 * state they describe lasts.
 */
export type AlertCondition =
  | { kind: 'event'; kinds: string[] }
  | { kind: 'restarts'; count: number; windowMs: number }
  | { kind: 'errored' }
  | { kind: 'unhealthy' }
  | { kind: 'memory'; aboveBytes: number }
  | { kind: 'cpu'; abovePercent: number }
  | { kind: 'log'; signal: 'anomaly' | 'error_burst' | 'any' }
  | { kind: 'job_failed'; count: number }
  | { kind: 'no_output' }
  | { kind: 'daemon_degraded' }
  | { kind: 'component_stale' };

/** Where a notification goes besides the event log (which always gets `alert.firing`/`alert.resolved`). */
export type AlertChannel =
  | {
      type: 'webhook';
      url: string;
      timeoutMs: number;
      /** Attempts after the first one. */
      retries: number;
      /** Delay before the first retry; doubled for each next one. */
      backoffMs: number;
      headers?: Record<string, string>;
    }
  | {
      type: 'command';
      /** The program and its arguments (never run through a shell). */
      command: string[];
      timeoutMs: number;
    };

/** Where a rule goes when it stays firing: after `afterRepeats` repeats or `afterMs` unresolved. */
export interface AlertEscalation {
  afterRepeats?: number;
  afterMs?: number;
  /** The severity from the escalation on (the rule's own when absent). */
  severity?: EventSeverity;
  /** Channels told from the escalation on, besides the rule's own. */
  channels: AlertChannel[];
}

/** OBS-3: one alert rule as the daemon holds it (camelCase, durations in ms). */
export interface AlertRule {
  name: string;
  when: AlertCondition;
  /** An app name, a namespace or a process id; absent = every app (one alert per app). */
  app?: string;
  severity: EventSeverity;
  /** How long the condition must hold before the rule fires. */
  forMs: number;
  /** Sends the firing notification again this often while it lasts; absent = once. */
  repeatMs?: number;
  /** Event-like conditions resolve after this long without a matching event. */
  resolveAfterMs: number;
  /**
   * After a notification goes out, the next waits this long, and what came meanwhile goes out as one
   * (a storm of apps is one message per interval, not one per app); absent = each at once.
   */
  groupIntervalMs?: number;
  channels: AlertChannel[];
  escalation?: AlertEscalation;
  /** Where the rule comes from: `runtime` (`velos alerts add`), a config file's absolute path, or `config.toml`. */
  source: string;
}

/** State of a rule for one app (or `*` for the daemon or a rule over every app). */
export type AlertPhase = 'ok' | 'pending' | 'firing' | 'resolved';

/** The outcome of the latest delivery of a rule. */
export interface AlertDelivery {
  at: number;
  channel: string;
  isOk: boolean;
  /** Attempts made (retries included). */
  attempts: number;
  error?: string;
}

/** A rule's state for one key (an app name, or `*`). */
export interface AlertInstance {
  key: string;
  phase: AlertPhase;
  /** Epoch ms the phase began. */
  since: number;
  repeats: number;
  /** 0 until the rule escalates, then 1. */
  escalationLevel: number;
  message: string;
}

/** One row of `velos alerts`: a rule, its overall phase (the worst of its instances) and its deliveries. */
export interface AlertStatus {
  rule: AlertRule;
  phase: AlertPhase;
  since: number | null;
  instances: AlertInstance[];
  lastDelivery: AlertDelivery | null;
}

/** Source name of rules added at run time (`velos alerts add`). */
export const RUNTIME_ALERT_SOURCE = 'runtime';

/** The condition in the words of a config file (`restarts >= 5 within 1m`). */
export function describeCondition(when: AlertCondition): string {
  switch (when.kind) {
    case 'event':
      return `event ${when.kinds.join(',')}`;
    case 'restarts':
      return `restarts >= ${when.count} within ${formatSpanMs(when.windowMs)}`;
    case 'memory':
      return `memory > ${shortBytes(when.aboveBytes)}`;
    case 'cpu':
      return `cpu > ${when.abovePercent}%`;
    case 'log':
      return when.signal === 'any' ? 'log' : `log ${when.signal}`;
    case 'job_failed':
      return `job failed ${when.count} times in a row`;
    case 'no_output':
      return 'no output';
    case 'daemon_degraded':
      return 'daemon degraded';
    case 'component_stale':
      return 'component stale';
    default:
      return when.kind;
  }
}

/** A rule's whole condition in the words of a config file, its `for` included (`unhealthy for 30s`). */
export function describeRuleCondition(rule: Pick<AlertRule, 'when' | 'forMs'>): string {
  const when = describeCondition(rule.when);
  return rule.forMs > 0 ? `${when} for ${formatSpanMs(rule.forMs)}` : when;
}

/** A span the short way a config file writes it: `1m`, `30s`, `1500ms`. */
export function formatSpanMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function shortBytes(bytes: number): string {
  for (const [unit, size] of [
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
