import { readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRunDir } from './run-files.js';

/** What the daemon writes down about a cluster primary, for the next daemon should this one die (SUP-13). */
export interface PrimaryEntry {
  /** The slot number: the entry is `run/cluster-<n>.json`. */
  n: number;
  /** The cluster app's name. */
  name: string;
  pid: number;
  /** Field 22 of `/proc/<pid>/stat`: tells the primary from a later process that reuses its pid. */
  startTicks: number;
  startedAt: number;
  /** Pid of the daemon in charge of it. */
  spawnedBy: number;
  /** The unix socket the primary listens on for its daemon. */
  socket: string;
}

/** The longest unix socket path used (as for `velos.sock`: macOS takes 104 bytes with the NUL). */
const MAX_SOCKET_PATH_BYTES = 103;

/** Slots this daemon handed out and has not released (a primary that exited may not have its files removed yet). */
const claimed = new Set<string>();

/**
 * Picks a free slot for a new primary: the lowest `n` with no entry, no socket and no claim; its socket
 * is `run/cluster-<n>.sock`, or `run/c<n>` when a long home would make that path too long for a socket.
 */
export function claimPrimarySlot(runDir: string): { n: number; socket: string } {
  ensureRunDir(runDir);
  const taken = new Set(readdirSync(runDir));
  for (let n = 0; ; n += 1) {
    const key = `${runDir}\0${n}`;
    if (claimed.has(key) || taken.has(entryName(n)) || taken.has(longSocketName(n)) || taken.has(`c${n}`))
      continue;
    claimed.add(key);
    return { n, socket: socketPathOf(runDir, n) };
  }
}

/** Removes a primary's entry and socket and frees its slot (the primary is gone). */
export function releasePrimarySlot(runDir: string, n: number): void {
  for (const name of [entryName(n), longSocketName(n), `c${n}`]) {
    try {
      unlinkSync(join(runDir, name));
    } catch {
      // not there
    }
  }
  claimed.delete(`${runDir}\0${n}`);
}

/** Writes (atomically) the entry of a primary this daemon is in charge of. */
export function recordPrimary(runDir: string, entry: Omit<PrimaryEntry, 'spawnedBy'>): void {
  claimed.add(`${runDir}\0${entry.n}`);
  const path = join(runDir, entryName(entry.n));
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ ...entry, spawnedBy: process.pid })}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** Every readable primary entry of a run directory. */
export function readPrimaryEntries(runDir: string): PrimaryEntry[] {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return [];
  }
  const entries: PrimaryEntry[] = [];
  for (const name of names) {
    const n = /^cluster-(\d+)\.json$/.exec(name)?.[1];
    if (n === undefined) continue;
    try {
      const entry = JSON.parse(readFileSync(join(runDir, name), 'utf8')) as Partial<PrimaryEntry>;
      if (isPrimaryEntry(entry)) entries.push({ ...entry, n: Number(n) });
    } catch {
      // torn: the primary it named is found by the environment scan and stopped
    }
  }
  return entries;
}

/** Removes the sockets of primaries that are gone (no entry names them among `live`). */
export function sweepPrimarySockets(runDir: string, live: Set<number>): void {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return;
  }
  for (const name of names) {
    const n = /^(?:cluster-(\d+)\.sock|c(\d+))$/.exec(name);
    if (!n || live.has(Number(n[1] ?? n[2]))) continue;
    try {
      unlinkSync(join(runDir, name));
    } catch {
      // removed meanwhile
    }
  }
}

function entryName(n: number): string {
  return `cluster-${n}.json`;
}

function longSocketName(n: number): string {
  return `cluster-${n}.sock`;
}

function socketPathOf(runDir: string, n: number): string {
  const path = join(runDir, longSocketName(n));
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES ? path : join(runDir, `c${n}`);
}

function isPrimaryEntry(entry: Partial<PrimaryEntry>): entry is Omit<PrimaryEntry, 'n'> {
  return (
    typeof entry.name === 'string' &&
    Number.isInteger(entry.pid) &&
    (entry.pid ?? 0) > 0 &&
    typeof entry.startTicks === 'number' &&
    typeof entry.startedAt === 'number' &&
    typeof entry.spawnedBy === 'number' &&
    typeof entry.socket === 'string'
  );
}
