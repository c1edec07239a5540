import { quoteValue } from './quote-value.js';

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** The longest duration an option takes (365 days): a longer one is refused, never cut short. */
export const MAX_DURATION_MS = 365 * DURATION_UNITS_MS.d!;

/**
 * Parses `1500`, `"1500"`, `"500ms"`, `"5s"`, `"2m"`, `"1h"`, `"1d"` into milliseconds; null if invalid
 * or longer than `MAX_DURATION_MS` (`durationError` says which).
 */
export function parseDurationMs(value: unknown): number | null {
  const ms = readDurationMs(value);
  return ms !== null && ms <= MAX_DURATION_MS ? ms : null;
}

/** Why `value` is not a duration `parseDurationMs` takes, as the end of an error message. */
export function durationError(value: unknown): string {
  const got = `got ${quoteValue(value)}`;
  if (readDurationMs(value) !== null)
    return `expected a duration of at most ${MAX_DURATION_MS / DURATION_UNITS_MS.d!}d, ${got}`;
  // `kill_timeout = 1.5`: a bare number is milliseconds, and a fraction of one is surely meant as seconds
  const fraction = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
  const note = /^\d+\.\d+$/.test(fraction)
    ? ` (a bare number is milliseconds: write "${fraction}s" for ${fraction} seconds)`
    : '';
  return `expected a duration like 1500, "500ms", "5s" or "2m", ${got}${note}`;
}

function readDurationMs(value: unknown): number | null {
  // whole milliseconds only when bare: no timer waits a fraction of one
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match || (match[2] === undefined && match[1]!.includes('.'))) return null;
  const unit = (match[2] ?? 'ms').toLowerCase();
  return safeOrNull(Math.round(Number(match[1]) * DURATION_UNITS_MS[unit]!));
}

/**
 * Parses `1048576`, `"200M"`, `"1.5G"`, `"512K"`, `"10MB"`, `"2GiB"` into bytes (K, M and G are powers of
 * 1024 however written); null if invalid.
 */
export function parseSizeBytes(value: unknown): number | null {
  if (typeof value === 'number') return value >= 0 ? safeOrNull(Math.round(value)) : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?|[kmg]ib)\s*$/i.exec(value);
  if (!match) return null;
  return safeOrNull(Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!));
}

/** `value` when it is a safe integer (beyond 2^53 − 1 the daemon's schemas refuse it), else null. */
function safeOrNull(value: number): number | null {
  return Number.isSafeInteger(value) ? value : null;
}

/** Formats bytes the short way: `512B`, `45M`, `1.2G`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 ** 2) return `${Math.round(bytes / 1024)}K`;
  if (bytes < 1024 ** 3) return `${Math.round(bytes / 1024 ** 2)}M`;
  return `${(bytes / 1024 ** 3).toFixed(1)}G`;
}

/** Formats a duration the short way: `12s`, `5m`, `3h`, `2d`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/**
 * How long something lasted, for people in two units at most: `850 ms`, `45 s`, `3 min 12 s`,
 * `2 h 3 min`, `4 d 1 h` (what alert messages and `velos alerts` say of a span).
 */
export function formatElapsedMs(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole} ms`;
  const s = Math.floor(whole / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return twoUnits(min, 'min', s % 60, 's');
  const h = Math.floor(min / 60);
  if (h < 24) return twoUnits(h, 'h', min % 60, 'min');
  return twoUnits(Math.floor(h / 24), 'd', h % 24, 'h');
}

function twoUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}
