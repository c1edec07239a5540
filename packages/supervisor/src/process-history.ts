import { ErrorCodes, EXIT_REASONS, type ExitReason, VelosError } from '@velos/core';
import type { ProcessRecord } from './process-record.js';

/**
 * What `list`, `describe` and `jlist` show of a process's past, kept in the state files beside its id
 * so that a daemon replaced by `velos update`, or one that died and whose successor re-adopts the
 * children, does not start the counts again (`restart_time`, `created_at`…), nor turn an `errored`
 * process into a `stopped` one.
 */
export interface SavedHistory {
  restarts: number;
  /** Restarts `velos reset` took off `restarts` (the exported counter's part of them); absent (0) in earlier files. */
  restartsCleared?: number;
  /** Of `restarts`, those asked for from outside (user, reload, watch, cron); 0 in earlier files. */
  requestedRestarts: number;
  unstableRestarts: number;
  /** The restart policy's back-off delay of the last automatic restart (0: none); 0 in earlier files. */
  backoffMs: number;
  /** True when the process was `errored` (it gave up restarting); false in files of earlier versions. */
  errored: boolean;
  /**
   * True when the process was `stopped` (an instance `velos stop <id>` took out while the others ran): a
   * restore of its running app leaves it stopped. Absent (false) in files of earlier versions.
   */
  stopped?: boolean;
  /** Epoch ms when the app was added. */
  createdAt: number;
  /** Epoch ms of the latest run's start (PM2's `pm_uptime` once it stopped), or null before any run. */
  lastStartedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  lastExitReason: ExitReason | null;
}

/**
 * A history as the state files hold it: `lastExitReason` is always one an earlier Velos reads (it
 * refuses any other as STATE_CORRUPT and then restores nothing of the file, after a downgrade), and
 * a reason added since is kept beside it in `newerExitReason`, which earlier versions ignore.
 */
export interface FileHistory extends SavedHistory {
  lastExitReason: FileExitReason | null;
  /** The exact reason when `lastExitReason` holds its stand-in for earlier versions. */
  newerExitReason?: ExitReason;
}

/** Exit reasons added since `lastExitReason` first went into the state files: earlier versions refuse them. */
const NEWER_EXIT_REASONS = ['primary-exit'] as const;
/** The exit reasons of `lastExitReason` in the files of versions before `primary-exit` came. */
type FileExitReason = Exclude<ExitReason, (typeof NEWER_EXIT_REASONS)[number]>;

/** What an earlier version reads for each newer reason: what it recorded itself for such an exit. */
const EARLIER_EXIT_REASON: Record<(typeof NEWER_EXIT_REASONS)[number], FileExitReason> = {
  'primary-exit': 'crash',
};

/** Every exit reason a saved history may name. */
const SAVED_EXIT_REASONS: ReadonlySet<string> = new Set<string>(EXIT_REASONS);
const FILE_REASONS: ReadonlySet<string> = new Set<string>(
  EXIT_REASONS.filter((reason) => !(reason in EARLIER_EXIT_REASON)),
);

/** Longest signal name a saved history may hold (`SIGRTMAX-15` and the like fit). */
const MAX_SIGNAL_CHARS = 32;

/** The history of a record, as the state files keep it (a plain object, cheap to serialize). */
export function historyOf(record: ProcessRecord): SavedHistory {
  return {
    restarts: record.restarts,
    ...(record.restartsCleared > 0 ? { restartsCleared: record.restartsCleared } : {}),
    requestedRestarts: record.requestedRestarts,
    unstableRestarts: record.unstableRestarts,
    backoffMs: record.backoffMs,
    errored: record.status === 'errored',
    ...(record.status === 'stopped' ? { stopped: true } : {}),
    createdAt: record.createdAt,
    lastStartedAt: record.lastStartedAt,
    exitCode: record.exitCode,
    signal: record.signal,
    lastExitReason: record.lastExitReason,
  };
}

/** The form of `history` the state files hold (see `FileHistory`). */
export function fileHistory(history: SavedHistory): FileHistory {
  const reason = history.lastExitReason;
  const base = {
    restarts: history.restarts,
    ...(history.restartsCleared ? { restartsCleared: history.restartsCleared } : {}),
    requestedRestarts: history.requestedRestarts,
    unstableRestarts: history.unstableRestarts,
    backoffMs: history.backoffMs,
    errored: history.errored,
    ...(history.stopped ? { stopped: true } : {}),
    createdAt: history.createdAt,
    lastStartedAt: history.lastStartedAt,
    exitCode: history.exitCode,
    signal: history.signal,
  };
  if (reason === null || isFileReason(reason)) return { ...base, lastExitReason: reason };
  return { ...base, lastExitReason: EARLIER_EXIT_REASON[reason], newerExitReason: reason };
}

function isFileReason(reason: ExitReason): reason is FileExitReason {
  return FILE_REASONS.has(reason);
}

/**
 * Gives a restored record its history (its status is the restore's: see `restoreStatus`).
 * `keepsCounters` (the table of a daemon that died, or was replaced by `velos update`; or a process
 * restored `errored`, which does not run again): everything, the counters and the back-off delay
 * included. Otherwise (`velos resurrect`, a boot: the processes start afresh, as after
 * `pm2 resurrect`) the counters start again at 0 and the rest is kept.
 */
export function applyHistory(record: ProcessRecord, history: SavedHistory, keepsCounters: boolean): void {
  if (keepsCounters) {
    record.restarts = history.restarts;
    record.restartsCleared = history.restartsCleared ?? 0;
    record.requestedRestarts = history.requestedRestarts;
    record.unstableRestarts = history.unstableRestarts;
    record.backoffMs = history.backoffMs;
  }
  record.createdAt = history.createdAt;
  record.lastStartedAt = history.lastStartedAt;
  record.exitCode = history.exitCode;
  record.signal = history.signal;
  record.lastExitReason = history.lastExitReason;
}

/**
 * Checks the `history` of a saved app (`where`: `apps[2]`), one entry per id; absent (a state file of
 * an earlier version) is undefined. Throws STATE_CORRUPT naming the field that is wrong.
 */
export function parseHistory(raw: unknown, idCount: number, where: string): SavedHistory[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length !== idCount) {
    throw corrupt(`${where}.history`, `expected one entry per id (${idCount})`);
  }
  return raw.map((entry: unknown, i) => parseEntry(entry, `${where}.history[${i}]`));
}

function parseEntry(raw: unknown, where: string): SavedHistory {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(where, 'expected an object');
  const entry = raw as Record<string, unknown>;
  const count = (key: string, what = 'a count'): number => {
    const value = entry[key];
    if (!Number.isSafeInteger(value) || (value as number) < 0)
      throw corrupt(`${where}.${key}`, `expected ${what}`);
    return value as number;
  };
  const time = (key: string, isNullable: boolean): number | null => {
    const value = entry[key] ?? null;
    if (value === null && isNullable) return null;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw corrupt(`${where}.${key}`, 'expected epoch milliseconds');
    return value;
  };
  const exitCode = entry.exitCode ?? null;
  if (exitCode !== null && !Number.isSafeInteger(exitCode))
    throw corrupt(`${where}.exitCode`, 'expected an integer or null');
  const signal = entry.signal ?? null;
  if (signal !== null && (typeof signal !== 'string' || signal.length > MAX_SIGNAL_CHARS))
    throw corrupt(`${where}.signal`, 'expected a signal name or null');
  const errored = entry.errored ?? false;
  if (typeof errored !== 'boolean') throw corrupt(`${where}.errored`, 'expected true or false');
  const stopped = entry.stopped ?? false;
  if (typeof stopped !== 'boolean') throw corrupt(`${where}.stopped`, 'expected true or false');
  const reason = entry.lastExitReason ?? null;
  if (reason !== null && (typeof reason !== 'string' || !SAVED_EXIT_REASONS.has(reason)))
    throw corrupt(`${where}.lastExitReason`, 'expected an exit reason or null');
  const newer = entry.newerExitReason;
  if (newer !== undefined && typeof newer !== 'string')
    throw corrupt(`${where}.newerExitReason`, 'expected an exit reason');
  // one this version does not know (a later version's) leaves its stand-in in lastExitReason
  const exact = newer !== undefined && SAVED_EXIT_REASONS.has(newer) ? newer : reason;
  return {
    restarts: count('restarts'),
    // absent in files of earlier versions, and when no velos reset cleared any
    ...(entry.restartsCleared === undefined ? {} : { restartsCleared: count('restartsCleared') }),
    // absent in files of earlier versions; never more than the restarts it is part of
    requestedRestarts:
      entry.requestedRestarts === undefined ? 0 : Math.min(count('requestedRestarts'), count('restarts')),
    unstableRestarts: count('unstableRestarts'),
    // absent in files of earlier versions
    backoffMs: entry.backoffMs === undefined ? 0 : count('backoffMs', 'milliseconds'),
    errored,
    ...(stopped ? { stopped: true } : {}),
    createdAt: time('createdAt', false)!,
    lastStartedAt: time('lastStartedAt', true),
    exitCode: exitCode as number | null,
    signal: signal as string | null,
    lastExitReason: exact as ExitReason | null,
  };
}

function corrupt(where: string, what: string): VelosError {
  return new VelosError(ErrorCodes.STATE_CORRUPT, `${where}: ${what}`);
}
