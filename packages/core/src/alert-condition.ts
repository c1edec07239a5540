import type { AlertCondition } from './alert-rule.js';
import { parseDurationMs, parseSizeBytes } from './units.js';

/** The forms `when` takes, for error messages and help. */
export const CONDITION_FORMS = [
  'event <kind>[,<kind>…]',
  'restarts >= N within T',
  'errored',
  'unhealthy',
  'memory > SIZE',
  'cpu > N%',
  'log anomaly|error_burst',
  'job failed N times in a row',
  'no output',
  'daemon degraded',
  'component stale',
] as const;

/** A parsed `when`: the condition, and the `for` written after it (`unhealthy for 30s`). */
export interface ParsedCondition {
  when: AlertCondition;
  forMs?: number;
}

const DURATION = '(\\d+(?:\\.\\d+)?\\s*(?:ms|s|m|h|d)?)';
const FOR_SUFFIX = new RegExp(`^(.*?)\\s+for\\s+${DURATION}$`, 'i');
const EVENT_KIND = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}$/;

/**
 * Parses the words of a rule's `when` (`restarts >= 5 within 1m`, `memory > 300M for 2m`,
 * `job failed 2 times in a row`…); a string error says what was expected.
 */
export function parseCondition(text: string): ParsedCondition | string {
  const expected = `expected one of ${CONDITION_FORMS.map((form) => `"${form}"`).join(', ')} (optionally followed by "for D"), got ${JSON.stringify(text)}`;
  let body = text.trim().replace(/\s+/g, ' ');
  let forMs: number | undefined;
  const suffix = FOR_SUFFIX.exec(body);
  if (suffix && !/^event /i.test(body)) {
    forMs = parseDurationMs(suffix[2]) ?? undefined;
    if (forMs === undefined) return `"for ${suffix[2]}": expected a duration of at most 365d`;
    body = suffix[1]!;
  }
  const when = parseBody(body);
  if (typeof when === 'string') return when === '' ? expected : when;
  return forMs === undefined ? { when } : { when, forMs };
}

function parseBody(body: string): AlertCondition | string {
  const lower = body.toLowerCase();
  const event = /^events? (.+)$/i.exec(body);
  if (event) {
    const kinds = event[1]!.split(',').map((kind) => kind.trim());
    const bad = kinds.find((kind) => !EVENT_KIND.test(kind));
    if (bad !== undefined)
      return `expected event kinds like "process.exited" or "exited,errored", got ${JSON.stringify(bad)}`;
    return { kind: 'event', kinds };
  }
  const restarts = new RegExp(`^restarts? >= ?(\\d+) (?:within|in) ${DURATION}$`, 'i').exec(body);
  if (restarts) {
    const count = Number(restarts[1]);
    const windowMs = parseDurationMs(restarts[2]);
    if (count < 1) return `restarts >= N: expected N of 1 or more, got ${count}`;
    if (windowMs === null || windowMs < 1)
      return `within T: expected a duration like "1m", got "${restarts[2]}"`;
    return { kind: 'restarts', count, windowMs };
  }
  if (lower === 'errored') return { kind: 'errored' };
  if (lower === 'unhealthy') return { kind: 'unhealthy' };
  const memory = /^(?:memory|mem|rss) > ?(\S+)$/i.exec(body);
  if (memory) {
    const aboveBytes = parseSizeBytes(memory[1]);
    if (aboveBytes === null || aboveBytes < 1)
      return `memory > SIZE: expected a size like "300M", got "${memory[1]}"`;
    return { kind: 'memory', aboveBytes };
  }
  const cpu = /^cpu > ?(\d+(?:\.\d+)?) ?%?$/i.exec(body);
  if (cpu) return { kind: 'cpu', abovePercent: Number(cpu[1]) };
  const log = /^log(?: (anomaly|anomalies|error_burst|error burst|error rate|errors?))?$/i.exec(body);
  if (log) {
    const word = (log[1] ?? '').toLowerCase();
    const signal = word === '' ? 'any' : word.startsWith('anomal') ? 'anomaly' : 'error_burst';
    return { kind: 'log', signal };
  }
  const job = /^jobs? failed(?: (\d+) times?(?: in a row)?)?$/i.exec(body);
  if (job) {
    const count = job[1] === undefined ? 1 : Number(job[1]);
    if (count < 1) return `job failed N times: expected N of 1 or more, got ${count}`;
    return { kind: 'job_failed', count };
  }
  if (lower === 'no output' || lower === 'watchdog') return { kind: 'no_output' };
  if (lower === 'daemon degraded') return { kind: 'daemon_degraded' };
  if (lower === 'component stale' || lower === 'components stale') return { kind: 'component_stale' };
  return '';
}
