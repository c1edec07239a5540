/** Severity of a log line, most severe first in `LEVELS`. */
export type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

/** All levels, most severe first. */
export const LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug'];

const SEVERITY: Record<Level, number> = { fatal: 4, error: 3, warn: 2, info: 1, debug: 0 };

/** Numeric severity of a level: fatal 4, error 3, warn 2, info 1, debug 0. */
export function levelSeverity(level: Level): number {
  return SEVERITY[level];
}

/** True when `level` is at least as severe as `min`. */
export function isAtLeast(level: Level, min: Level): boolean {
  return SEVERITY[level] >= SEVERITY[min];
}

const NAMES: Record<string, Level> = {
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  ftl: 'fatal',
  fata: 'fatal',
  panic: 'fatal',
  pani: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  alert: 'fatal',
  error: 'error',
  err: 'error',
  eror: 'error',
  erro: 'error',
  fail: 'error',
  dpanic: 'error',
  severe: 'error',
  warn: 'warn',
  warning: 'warn',
  wrn: 'warn',
  info: 'info',
  information: 'info',
  inf: 'info',
  notice: 'info',
  note: 'info',
  http: 'info',
  log: 'info',
  debug: 'debug',
  dbug: 'debug',
  dbg: 'debug',
  debu: 'debug',
  trace: 'debug',
  trce: 'debug',
  trac: 'debug',
  vrb: 'debug',
  verbose: 'debug',
  fine: 'debug',
  finer: 'debug',
  finest: 'debug',
  silly: 'debug',
};

/**
 * Reads a level from a structured field: a name (`"ERROR"`, `"warning"`, `"E"`) or a pino/bunyan number
 * (10 trace … 60 fatal); undefined when the value is not a level.
 */
export function parseLevel(value: unknown): Level | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    if (value >= 60) return 'fatal';
    if (value >= 50) return 'error';
    if (value >= 40) return 'warn';
    if (value >= 30) return 'info';
    return value >= 10 ? 'debug' : undefined;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 12) return undefined;
  const lower = value.toLowerCase();
  const named = NAMES[lower];
  if (named) return named;
  if (lower.length === 1) return LETTERS[lower];
  return undefined;
}

const LETTERS: Record<string, Level> = {
  f: 'fatal',
  e: 'error',
  w: 'warn',
  i: 'info',
  d: 'debug',
  v: 'debug',
};
