import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { parseStatBytes, readStatBytes, STAT_BYTES, type StatFigures } from './proc-stat-bytes.js';

/** What the daemon needs from `/proc/<pid>/stat` about one process. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** One-letter state: R, S, D, Z (zombie), T… */
  state: string;
  /** utime + stime in clock ticks (0 where unknown). */
  ticks: number;
  /** Resident set size in pages (0 where unknown). */
  rssPages: number;
  /** Start time in clock ticks since boot (0 where unknown). */
  startTicks: number;
}

/** Every process of the machine at one instant, indexed by parent and by process group. */
export interface ProcessSnapshot {
  stats: Map<number, ProcStat>;
  children: Map<number, number[]>;
  groups: Map<number, number[]>;
}

/** True when `/proc` can be read (Linux); elsewhere CPU/RSS read 0 and the tree comes from `ps`. */
export const HAS_PROCFS = existsSync('/proc/self/stat');

/** Reads one process's stat; null when it does not exist (or on a platform without `/proc`). */
export function readProcStat(pid: number): ProcStat | null {
  if (!HAS_PROCFS) return null;
  const length = readStatBytes(pid);
  const figures: StatFigures = { state: 0, ppid: 0, pgrp: 0, ticks: 0, startTicks: 0, rssPages: 0 };
  if (length < 0 || !parseStatBytes(STAT_BYTES, length, figures)) return null;
  return {
    pid,
    state: String.fromCharCode(figures.state),
    ppid: figures.ppid,
    pgrp: figures.pgrp,
    ticks: figures.ticks,
    startTicks: figures.startTicks,
    rssPages: figures.rssPages,
  };
}

/** Parses the text of `/proc/<pid>/stat` (the command name may hold spaces and parentheses). */
export function parseProcStat(pid: number, text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  if (f.length < 22) return null;
  return {
    pid,
    state: f[0]!,
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    ticks: Number(f[11]) + Number(f[12]),
    startTicks: Number(f[19]),
    rssPages: Number(f[21]),
  };
}

/** Takes one scan of all processes: `/proc` on Linux, one `ps` call elsewhere. */
export function takeSnapshot(): ProcessSnapshot {
  return indexSnapshot(HAS_PROCFS ? scanProcfs() : scanPs());
}

/** A snapshot of these processes: indexed by parent and by process group. */
export function indexSnapshot(stats: Map<number, ProcStat>): ProcessSnapshot {
  const children = new Map<number, number[]>();
  const groups = new Map<number, number[]>();
  for (const stat of stats.values()) {
    pushTo(children, stat.ppid, stat.pid);
    pushTo(groups, stat.pgrp, stat.pid);
  }
  return { stats, children, groups };
}

/**
 * The pids of a process tree: the root, the members of the process group it leads and every
 * descendant of those through parent links (which also finds children that left the group).
 */
export function treePids(snapshot: ProcessSnapshot, root: number): number[] {
  const seen = new Set<number>();
  const stack = [root, ...(snapshot.groups.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    if (pid !== root && !snapshot.stats.has(pid)) continue;
    seen.add(pid);
    const kids = snapshot.children.get(pid);
    if (kids) stack.push(...kids);
  }
  return [...seen];
}

/** True while a pid names a live process (a zombie counts as gone). */
export function isPidAlive(pid: number): boolean {
  if (HAS_PROCFS) {
    const stat = readProcStat(pid);
    return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function scanProcfs(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return stats;
  }
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(entry);
    const stat = readProcStat(pid);
    if (stat) stats.set(pid, stat);
  }
  return stats;
}

function scanPs(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  const result = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], { encoding: 'utf8' });
  if (result.status !== 0 || typeof result.stdout !== 'string') return stats;
  for (const line of result.stdout.split('\n')) {
    const [pid, ppid, pgrp, state] = line.trim().split(/\s+/);
    if (!pid || !ppid || !pgrp) continue;
    const stat: ProcStat = {
      pid: Number(pid),
      ppid: Number(ppid),
      pgrp: Number(pgrp),
      state: (state ?? 'S').charAt(0),
      ticks: 0,
      rssPages: 0,
      startTicks: 0,
    };
    if (stat.state !== 'Z') stats.set(stat.pid, stat);
  }
  return stats;
}

function pushTo(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
