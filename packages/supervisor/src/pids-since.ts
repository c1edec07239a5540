import { existsSync, readdirSync } from 'node:fs';
import { readProcText } from './proc-read.js';
import {
  HAS_PROCFS,
  indexSnapshot,
  type ProcessSnapshot,
  type ProcStat,
  parseProcStat,
  readProcStat,
} from './proc-scan.js';

/**
 * False when no pid was allocated since the mark's (the last one allocated is still the mark's): nothing
 * the marked process started can exist, short of the pid space going round in between. True when unsure.
 * One read of /proc/loadavg: cheaper than `snapshotSince`, whose fork count costs a read of /proc/stat.
 */
export function hasPidsSince(mark: PidMark | null): boolean {
  return mark === null || lastPid() !== mark.pid;
}

/**
 * Up to this many pids allocated since a mark are looked up one by one (a missing one costs one
 * `access`); more, and one listing of /proc is cheaper (it costs about as much as 50 look-ups).
 */
export const PROBE_LIMIT = 64;

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
export function snapshotSince(
  mark: PidMark | null,
  options: { isSessionLeader?: boolean } = {},
): ProcessSnapshot | null {
  if (mark === null) return null;
  const last = lastPid();
  const forks = forkCount();
  const max = pidMax();
  if (last === null || forks === null || max === null || forks - mark.forks >= max / 2) return null;
  const stats = new Map<number, ProcStat>();
  const from = mark.pid;
  // A session leader's descendants are in its session or in one a descendant began (setsid): a pid
  // allocated since. What is in an older session (a shell's, a test runner's) cannot descend from it.
  const keep = options.isSessionLeader
    ? (text: string) => {
        const session = Number(statFields(text)[3]);
        return session === from || isBetween(session, from, last);
      }
    : () => true;
  const isSmall = from <= last && last - from <= PROBE_LIMIT;
  if (!(isSmall ? probeRange(from, last, stats, keep) : listRange(from, last, stats, keep))) return null;
  // this daemon and its ancestors: whatever their pids, the scans that take a snapshot never stop them
  for (let pid = process.pid; pid > 1 && !stats.has(pid); ) {
    const stat = readProcStat(pid);
    if (!stat) break;
    stats.set(pid, stat);
    pid = stat.ppid;
  }
  return indexSnapshot(stats);
}

/**
 * The processes among the pids after `from` up to `to`, looked up one by one: a pid may also be a
 * thread's id (/proc/<tid> exists though /proc does not list it), which its exit signal (-1) tells apart.
 */
function probeRange(
  from: number,
  to: number,
  stats: Map<number, ProcStat>,
  keep: (text: string) => boolean,
): boolean {
  for (let pid = from + 1; pid <= to; pid += 1) {
    if (!existsSync(`/proc/${pid}`)) continue;
    const text = readProcText(`/proc/${pid}/stat`);
    if (text === null || isThreadStat(text) || !keep(text)) continue;
    const stat = parseProcStat(pid, text);
    if (stat) stats.set(pid, stat);
  }
  return true;
}

/** The processes among the pids after `from` up to `to` (cyclic), from one listing of /proc; false if unreadable. */
function listRange(
  from: number,
  to: number,
  stats: Map<number, ProcStat>,
  keep: (text: string) => boolean,
): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(entry);
    if (!isBetween(pid, from, to)) continue;
    const text = readProcText(`/proc/${pid}/stat`);
    if (text === null || !keep(text)) continue;
    const stat = parseProcStat(pid, text);
    if (stat) stats.set(pid, stat);
  }
  return true;
}

/** True when the text of a /proc/<n>/stat is a thread's other than its group leader (exit signal -1). */
export function isThreadStat(text: string): boolean {
  return statFields(text)[35] === '-1';
}

/** The fields of a /proc/<n>/stat text after the command name: state, ppid, pgrp, session, … */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
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
  return readProcText(path);
}
