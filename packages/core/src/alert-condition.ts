import { cpus } from 'node:os';
import type { AlertCondition } from './alert-rule.js';
import { expandEventKindWords } from './events.js';
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

/** The least threshold of a `memory > SIZE` rule: 1 MiB (less is under any process's RSS). */
const MIN_MEMORY_BYTES = 1024 ** 2;

/**
 * Parses the words of a rule's `when` (`restarts >= 5 within 1m`, `memory > 300M for 2m`,
 * `event app.deploy.failed for 10s`, `job failed 2 times in a row`…); a string error says what was
 * expected. Event kinds are taken as `velos events --kind` takes them (`expandEventKindWords`), and a
 * CPU threshold is at most 100 × `cpuCount` (100 is one core: a process tree uses no more than every CPU).
 */
export function parseCondition(text: string, cpuCount = cpus().length): ParsedCondition | string {
  const expected = `expected one of ${CONDITION_FORMS.map((form) => `"${form}"`).join(', ')} (optionally followed by "for D"), got ${JSON.stringify(text)}`;
  let body = text.trim().replace(/\s+/g, ' ');
  let forMs: number | undefined;
  const suffix = FOR_SUFFIX.exec(body);
  if (suffix) {
    forMs = parseDurationMs(suffix[2]) ?? undefined;
    if (forMs === undefined) return `"for ${suffix[2]}": expected a duration of at most 365d`;
    body = suffix[1]!;
  }
  const when = parseBody(body, cpuCount);
  if (typeof when === 'string') return when === '' ? expected : when;
  return forMs === undefined ? { when } : { when, forMs };
}

function parseBody(body: string, cpuCount: number): AlertCondition | string {
  const lower = body.toLowerCase();
  const event = /^events? (.+)$/i.exec(body);
  if (event) {
    const words = event[1]!.split(',').map((kind) => kind.trim());
    const bad = words.find((kind) => !EVENT_KIND.test(kind));
    if (bad !== undefined)
      return `expected event kinds like "process.exited" or "exited,errored", got ${JSON.stringify(bad)}`;
    const kinds = expandEventKindWords(words);
    return typeof kinds === 'string' ? kinds : { kind: 'event', kinds };
  }
  const restarts = new RegExp(`^restarts? ?>= ?(\\d+) (?:within|in) ${DURATION}$`, 'i').exec(body);
  if (restarts) {
    const count = countOf(restarts[1]!);
    const windowMs = parseDurationMs(restarts[2]);
    if (count === null) return `restarts >= N: expected N ${COUNT_RANGE}, got ${restarts[1]}`;
    if (windowMs === null || windowMs < 1)
      return `within T: expected a duration like "1m", got "${restarts[2]}"`;
    return { kind: 'restarts', count, windowMs };
  }
  if (lower === 'errored') return { kind: 'errored' };
  if (lower === 'unhealthy') return { kind: 'unhealthy' };
  const memory = /^(?:memory|mem|rss) ?> ?(\S+)$/i.exec(body);
  if (memory) {
    const aboveBytes = parseSizeBytes(memory[1]);
    if (aboveBytes === null || aboveBytes < 1)
      return `memory > SIZE: expected a size like "300M", got "${memory[1]}"`;
    // a bare `memory > 300` is 300 bytes, which every process passes: the rule would fire for all at once
    if (aboveBytes < MIN_MEMORY_BYTES)
      return `memory > SIZE: ${memory[1]} is ${aboveBytes} bytes, less than any process uses (at least 1M); give a unit, as "${memory[1]}M"`;
    return { kind: 'memory', aboveBytes };
  }
  const cpu = /^cpu ?> ?(\d+(?:\.\d+)?) ?%?$/i.exec(body);
  if (cpu) {
    const abovePercent = Number(cpu[1]);
    const problem = cpuThresholdProblem(abovePercent, cpuCount);
    if (problem !== null) return `cpu > N%: ${problem}, got ${cpu[1]}`;
    return { kind: 'cpu', abovePercent };
  }
  const log = /^log(?: (anomaly|anomalies|error_burst|error burst|error rate|errors?))?$/i.exec(body);
  if (log) {
    const word = (log[1] ?? '').toLowerCase();
    const signal = word === '' ? 'any' : word.startsWith('anomal') ? 'anomaly' : 'error_burst';
    return { kind: 'log', signal };
  }
  const job = /^jobs? failed(?: (\d+) times?(?: in a row)?)?$/i.exec(body);
  if (job) {
    const count = job[1] === undefined ? 1 : countOf(job[1]);
    if (count === null) return `job failed N times: expected N ${COUNT_RANGE}, got ${job[1]}`;
    return { kind: 'job_failed', count };
  }
  if (lower === 'no output' || lower === 'watchdog') return { kind: 'no_output' };
  if (lower === 'daemon degraded') return { kind: 'daemon_degraded' };
  if (lower === 'component stale' || lower === 'components stale') return { kind: 'component_stale' };
  return '';
}

/**
 * Why a CPU threshold can never be passed, or null: a process tree uses at most 100 % per CPU (100 is
 * one core), so a threshold above 100 × `cpuCount` never fires (no bound when the count is unknown, 0).
 */
export function cpuThresholdProblem(abovePercent: number, cpuCount = cpus().length): string | null {
  const maxPercent = 100 * cpuCount;
  if (cpuCount < 1 || abovePercent <= maxPercent) return null;
  return `expected at most ${maxPercent} (100 is one core; this machine has ${cpuCount} CPU${cpuCount === 1 ? '' : 's'})`;
}

const COUNT_RANGE = `from 1 to ${Number.MAX_SAFE_INTEGER}`;

/** A count of 1 or more that the daemon takes (a safe integer), or null. */
function countOf(digits: string): number | null {
  const count = Number(digits);
  return count >= 1 && Number.isSafeInteger(count) ? count : null;
}
