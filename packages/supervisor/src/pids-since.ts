import { readdirSync, readFileSync } from 'node:fs';
import { HAS_PROCFS, indexSnapshot, type ProcessSnapshot, type ProcStat, readProcStat } from './proc-scan.js';

/** Where the kernel's pid allocation stood just after a run was spawned: its pid and the fork count. */
export interface PidMark {
  pid: number;
  /** `processes` of /proc/stat: forks since boot, to tell whether the pid space may have cycled since. */
  forks: number;
}

/** The mark of a run just spawned as `pid`; null where /proc cannot tell (no snapshot is then narrowed). */
export function markPids(pid: number): PidMark | null {
  const forks = HAS_PROCFS ? forkCount() : null;
  return forks === null ? null : { pid, forks };
}

/**
 * The processes whose pids were allocated after the mark's (plus this daemon and its ancestors), for
 * what only looks at processes a run started (issue 17: an exited run's leftovers are looked for on
 * every crash, and a scan of every /proc entry cost the restart ~5-30 ms on a busy machine). Linux
 * hands out pids in increasing order, wrapping at pid_max, so those pids lie between the mark's and
 * the latest one (/proc/loadavg); it may hold older ones too, which their start time tells apart.
 * Null (scan everything) when that order cannot be relied on: /proc unreadable, or so many forks
 * since the mark that the pid space may have gone round.
 */
export function snapshotSince(mark: PidMark | null): ProcessSnapshot | null {
  if (mark === null) return null;
  const last = lastPid();
  const forks = forkCount();
  const max = pidMax();
  if (last === null || forks === null || max === null || forks - mark.forks >= max / 2) return null;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const stats = new Map<number, ProcStat>();
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(entry);
    if (!isBetween(pid, mark.pid, last)) continue;
    const stat = readProcStat(pid);
    if (stat) stats.set(pid, stat);
  }
  // this daemon and its ancestors: whatever their pids, the scans that take a snapshot never stop them
  for (let pid = process.pid; pid > 1 && !stats.has(pid); ) {
    const stat = readProcStat(pid);
    if (!stat) break;
    stats.set(pid, stat);
    pid = stat.ppid;
  }
  return indexSnapshot(stats);
}

/** True when `pid` comes after `from` and no later than `to` in the kernel's cyclic allocation order. */
export function isBetween(pid: number, from: number, to: number): boolean {
  return from <= to ? pid > from && pid <= to : pid > from || pid <= to;
}

function forkCount(): number | null {
  const match = /\nprocesses (\d+)/.exec(readText('/proc/stat') ?? '');
  return match ? Number(match[1]) : null;
}

/** The pid the kernel allocated last (in this pid namespace): the 5th field of /proc/loadavg. */
function lastPid(): number | null {
  const field = (readText('/proc/loadavg') ?? '').trim().split(' ')[4];
  const pid = Number(field);
  return field !== undefined && Number.isInteger(pid) && pid > 0 ? pid : null;
}

let cachedPidMax: number | null | undefined;

function pidMax(): number | null {
  if (cachedPidMax === undefined) {
    const value = Number((readText('/proc/sys/kernel/pid_max') ?? '').trim());
    cachedPidMax = Number.isInteger(value) && value > 0 ? value : null;
  }
  return cachedPidMax;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}
