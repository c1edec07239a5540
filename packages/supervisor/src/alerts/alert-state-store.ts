import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type AlertDelivery, type AlertRule, writeFreshFile } from '@velos/core';
import { ALERT_STATE_FILE } from './alert-files.js';
import type { InstanceState } from './alert-state.js';
import { type UntoldByKey, untoldStatusOf } from './untold-notifications.js';

/**
 * One firing or pending alert as the state file keeps it (the fields the next daemon needs to go on with
 * it), or a resolved one whose resolve was not sent yet.
 */
export interface SavedAlert {
  key: string;
  /** Absent (firing) in files of earlier versions, which kept only firing alerts. */
  phase?: 'pending' | 'firing' | 'resolved';
  /** Epoch ms it began firing (pending: when it began pending). */
  since: number;
  /** Resolved: when. */
  resolvedAt?: number;
  /**
   * Its latest notification (a firing alert's firing or repeat, a resolved one's resolve) was not sent
   * when the file was written: the next daemon sends it.
   */
  untold?: true;
  /** Epoch ms its condition began to hold (before `for`). */
  activeSince: number;
  /** Epoch ms of its latest firing notification (repeats count from it). */
  lastSentAt: number;
  repeats: number;
  escalationLevel: number;
  message: string;
}

/** The firing alerts of one rule, and the fingerprint of the rule they were firing under. */
export interface SavedRuleAlerts {
  fingerprint: string;
  alerts: SavedAlert[];
  /** The rule's last delivery (what `velos alerts` shows); absent in earlier files and before the first one. */
  lastDelivery?: AlertDelivery;
}

/** What `readAlertState` found: the alerts by rule name, and the file's text as this version writes it. */
export interface ReadAlertState {
  rules: Map<string, SavedRuleAlerts>;
  /** Null when the file was unusable (`problem` says why) or missing: the next save rewrites it. */
  text: string | null;
  problem?: string;
  /** No file: no daemon of this version ran a rule here (or a daemon of an earlier version did). */
  isMissing?: boolean;
}

/** A rule's firing alerts, last delivery and definition, as the engine holds them. */
export interface RuleAlerts {
  rule: AlertRule;
  instances: Map<string, InstanceState>;
  lastDelivery?: AlertDelivery | null;
  /** Its notifications not sent yet (`markUntold`). */
  untold?: UntoldByKey;
}

/** Firing and pending alerts the file keeps at most (beyond them, a daemon restart sends them again). */
export const MAX_SAVED_ALERTS = 1000;
/** Characters of an alert's message the file keeps. */
export const MAX_SAVED_MESSAGE_CHARS = 500;
/** A larger file was not written by Velos: it is ignored. */
export const MAX_ALERT_STATE_BYTES = 2 * 1024 * 1024;
const MAX_KEY_CHARS = 256;
/** Characters of a channel's name (`webhook https://…`) a saved delivery keeps. */
const MAX_CHANNEL_CHARS = 2048;
const MAX_FINGERPRINT_CHARS = 128;

/** The fingerprint of alerts read from the event log, which does not say: any rule of their name takes them. */
export const ANY_FINGERPRINT = '';

/**
 * Identifies a rule's definition (every field, whatever order its keys came in): saved alerts are
 * restored only to a rule of the same name and fingerprint, so a rule changed meanwhile starts afresh.
 */
export function ruleFingerprint(rule: AlertRule): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(rule)))
    .digest('hex')
    .slice(0, 32);
}

/** The firing and pending alerts and the last delivery of `rules`, by rule name (rules with neither left out). */
export function savedAlertsOf(rules: Iterable<RuleAlerts>): Map<string, SavedRuleAlerts> {
  const saved = new Map<string, SavedRuleAlerts>();
  for (const { rule, instances, lastDelivery, untold } of rules) {
    const alerts: SavedAlert[] = [];
    for (const instance of instances.values()) {
      const told = untoldStatusOf(untold?.get(instance.key), instance.phase);
      const isResolveUntold = instance.phase === 'resolved' && told === 'resolved';
      if (instance.phase !== 'firing' && instance.phase !== 'pending' && !isResolveUntold) continue;
      alerts.push({
        key: instance.key,
        ...(instance.phase === 'firing' ? {} : { phase: instance.phase as 'pending' | 'resolved' }),
        since: instance.phase === 'pending' ? instance.since : instance.firingSince,
        ...(isResolveUntold ? { resolvedAt: instance.since } : {}),
        activeSince: instance.activeSince,
        lastSentAt: instance.lastSentAt,
        repeats: instance.repeats,
        escalationLevel: instance.escalationLevel,
        message: instance.message,
        ...(told === null ? {} : { untold: true as const }),
      });
    }
    if (alerts.length > 0 || lastDelivery)
      saved.set(rule.name, {
        fingerprint: ruleFingerprint(rule),
        alerts,
        ...(lastDelivery ? { lastDelivery } : {}),
      });
  }
  return saved;
}

/**
 * The state file's text of `saved`: sorted, so the same state gives the same text, and bounded (the
 * first `MAX_SAVED_ALERTS` alerts, messages cut at `MAX_SAVED_MESSAGE_CHARS`).
 */
export function alertStateText(saved: Map<string, SavedRuleAlerts>): string {
  const bounded = new Map<string, SavedRuleAlerts>();
  let room = MAX_SAVED_ALERTS;
  for (const name of [...saved.keys()].sort(compare)) {
    const { fingerprint, alerts, lastDelivery } = saved.get(name)!;
    const kept = [...alerts]
      .sort((a, b) => compare(a.key, b.key))
      .slice(0, room)
      .map((alert) => ({ ...alert, message: alert.message.slice(0, MAX_SAVED_MESSAGE_CHARS) }));
    room -= kept.length;
    const delivery = lastDelivery && boundedDelivery(lastDelivery);
    if (kept.length > 0 || delivery)
      bounded.set(name, { fingerprint, alerts: kept, ...(delivery ? { lastDelivery: delivery } : {}) });
  }
  return textOf(bounded);
}

/** A delivery as the file keeps it: its fields in one order, the texts cut. */
function boundedDelivery(delivery: AlertDelivery): AlertDelivery {
  const { at, channel, isOk, attempts, error } = delivery;
  return {
    at,
    channel: channel.slice(0, MAX_CHANNEL_CHARS),
    isOk,
    attempts,
    ...(error === undefined ? {} : { error: error.slice(0, MAX_SAVED_MESSAGE_CHARS) }),
  };
}

/**
 * The alert of a restored rule: firing since `since`, pending since `activeSince` (its `for` wait
 * goes on from there, as long as the condition still holds), or resolved at `resolvedAt`.
 */
export function restoredInstance(saved: SavedAlert): InstanceState {
  return {
    key: saved.key,
    phase: saved.phase ?? 'firing',
    since: saved.phase === 'resolved' ? (saved.resolvedAt ?? saved.since) : saved.since,
    repeats: saved.repeats,
    escalationLevel: saved.escalationLevel,
    message: saved.message,
    activeSince: saved.activeSince,
    lastSentAt: saved.lastSentAt,
    firingSince: saved.since,
  };
}

/** Reads the home's state file; a missing one is empty and `isMissing`, an unusable one is empty with a `problem`. */
export function readAlertState(home: string): ReadAlertState {
  const path = join(home, ALERT_STATE_FILE);
  let text: string;
  try {
    const { size } = statSync(path);
    if (size > MAX_ALERT_STATE_BYTES) return unusable(`${size} bytes, more than ${MAX_ALERT_STATE_BYTES}`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { rules: new Map(), text: null, isMissing: true };
    return unusable((error as Error).message);
  }
  try {
    const rules = parseAlertState(JSON.parse(text));
    return { rules, text: alertStateText(rules) };
  } catch (error) {
    return unusable((error as Error).message);
  }
}

/** Writes the state file atomically (a fresh 0600 file renamed into place). */
export function writeAlertState(home: string, text: string): void {
  const path = join(home, ALERT_STATE_FILE);
  const tmp = `${path}.tmp`;
  writeFreshFile(tmp, text);
  renameSync(tmp, path);
}

function unusable(why: string): ReadAlertState {
  return { rules: new Map(), text: null, problem: `${ALERT_STATE_FILE} is unusable (${why})` };
}

function textOf(rules: Map<string, SavedRuleAlerts>): string {
  return `${JSON.stringify({ version: 1, rules: Object.fromEntries(rules) })}\n`;
}

function parseAlertState(doc: unknown): Map<string, SavedRuleAlerts> {
  if (!isRecord(doc) || doc.version !== 1) throw new Error('expected {"version": 1, "rules": {...}}');
  if (!isRecord(doc.rules)) throw new Error('rules: expected an object');
  const rules = new Map<string, SavedRuleAlerts>();
  let count = 0;
  for (const [name, entry] of Object.entries(doc.rules)) {
    const where = `rules.${name}`;
    if (!isRecord(entry) || !Array.isArray(entry.alerts))
      throw new Error(`${where}: expected {fingerprint, alerts}`);
    if (typeof entry.fingerprint !== 'string' || entry.fingerprint.length > MAX_FINGERPRINT_CHARS)
      throw new Error(`${where}.fingerprint: expected a string`);
    count += entry.alerts.length;
    if (count > MAX_SAVED_ALERTS) throw new Error(`${where}: more than ${MAX_SAVED_ALERTS} alerts in all`);
    const alerts = entry.alerts.map((alert: unknown, i) => parseAlert(alert, `${where}.alerts[${i}]`));
    const lastDelivery =
      entry.lastDelivery === undefined
        ? undefined
        : parseDelivery(entry.lastDelivery, `${where}.lastDelivery`);
    rules.set(name, { fingerprint: entry.fingerprint, alerts, ...(lastDelivery ? { lastDelivery } : {}) });
  }
  return rules;
}

/** Reads the fields of one saved object, each checked; throws naming the first bad one. */
function fieldReader(raw: Record<string, unknown>, where: string) {
  return {
    text(key: string, maxChars: number, isEmptyOk: boolean): string {
      const value = raw[key];
      if (typeof value !== 'string' || value.length > maxChars || (!isEmptyOk && value === ''))
        throw new Error(`${where}.${key}: expected a string of at most ${maxChars} characters`);
      return value;
    },
    number(key: string, isInteger: boolean): number {
      const value = raw[key];
      if (
        typeof value !== 'number' ||
        value < 0 ||
        !(isInteger ? Number.isSafeInteger(value) : Number.isFinite(value))
      )
        throw new Error(`${where}.${key}: expected ${isInteger ? 'a count' : 'epoch milliseconds'}`);
      return value;
    },
  };
}

function parseDelivery(raw: unknown, where: string): AlertDelivery {
  if (!isRecord(raw)) throw new Error(`${where}: expected an object`);
  const { text, number } = fieldReader(raw, where);
  if (typeof raw.isOk !== 'boolean') throw new Error(`${where}.isOk: expected true or false`);
  return {
    at: number('at', false),
    channel: text('channel', MAX_CHANNEL_CHARS, false),
    isOk: raw.isOk,
    attempts: number('attempts', true),
    ...(raw.error === undefined ? {} : { error: text('error', MAX_SAVED_MESSAGE_CHARS, true) }),
  };
}

function parseAlert(raw: unknown, where: string): SavedAlert {
  if (!isRecord(raw)) throw new Error(`${where}: expected an object`);
  const { text, number } = fieldReader(raw, where);
  const phase = raw.phase;
  if (phase !== undefined && phase !== 'pending' && phase !== 'firing' && phase !== 'resolved')
    throw new Error(`${where}.phase: expected "pending", "firing" or "resolved"`);
  if (raw.untold !== undefined && raw.untold !== true) throw new Error(`${where}.untold: expected true`);
  // a resolved alert is kept only for its resolve, not sent yet
  if (phase === 'resolved' && raw.untold !== true) throw new Error(`${where}.untold: expected true`);
  return {
    key: text('key', MAX_KEY_CHARS, false),
    ...(phase === 'pending' || phase === 'resolved' ? { phase } : {}),
    since: number('since', false),
    ...(phase === 'resolved' ? { resolvedAt: number('resolvedAt', false) } : {}),
    activeSince: number('activeSince', false),
    lastSentAt: number('lastSentAt', false),
    repeats: number('repeats', true),
    escalationLevel: number('escalationLevel', true),
    message: text('message', MAX_SAVED_MESSAGE_CHARS, true),
    ...(raw.untold === true ? { untold: true as const } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` with the keys of every object sorted and undefined ones left out (JSON's own rule). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => [key, canonical(value[key])]),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
