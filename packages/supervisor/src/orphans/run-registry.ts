import { readdirSync, readFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { readProcStat } from '../proc-scan.js';
import { ensureRunDir, runEntryPath } from './run-files.js';

/** What the daemon writes down about a running process, for the next daemon should this one die (SUP-13). */
export interface RunEntry {
  id: number;
  name: string;
  pid: number;
  /** Field 22 of `/proc/<pid>/stat`: tells the process from a later one that reuses its pid. */
  startTicks: number;
  /** Epoch ms when the run was spawned. */
  startedAt: number;
  /** Pid of the daemon that spawned it. */
  spawnedBy: number;
}

/** Writes of one registry file run one after another, so that a quick exit never leaves a stale entry. */
const chains = new Map<string, Promise<void>>();

/**
 * Records the start of a run (atomically, off the spawn path); nothing where `/proc` is missing.
 * `startTicks`, when the caller has read it already (0: unknown), spares a read of its stat.
 */
export function recordRunStart(
  runDir: string,
  run: { id: number; name: string; pid: number; startedAt: number; startTicks?: number },
  log: (line: string) => void,
): void {
  const startTicks = run.startTicks || readProcStat(run.pid)?.startTicks;
  if (!startTicks) return;
  const { id, name, pid, startedAt } = run;
  writeEntry(runDir, { id, name, pid, startedAt, startTicks, spawnedBy: process.pid }, log);
}

/** Records a run re-adopted from a dead daemon as this daemon's, so that it is re-adopted again should this one die too. */
export function recordRunAdopted(runDir: string, entry: RunEntry, log: (line: string) => void): void {
  writeEntry(runDir, { ...entry, spawnedBy: process.pid }, log);
}

/** Removes the registry entry of a process id once its run has ended. */
export function recordRunEnd(runDir: string, id: number): void {
  enqueue(runEntryPath(runDir, id), () => unlink(runEntryPath(runDir, id))).catch(() => undefined);
}

/** Every readable registry entry of a run directory (a missing directory has none). */
export function readRunEntries(runDir: string): RunEntry[] {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return [];
  }
  const entries: RunEntry[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const entry = JSON.parse(readFileSync(`${runDir}/${name}`, 'utf8')) as Partial<RunEntry>;
      if (isRunEntry(entry)) entries.push(entry);
    } catch {
      // half-written by a daemon killed mid-write: the temp file, never the entry, would be torn
    }
  }
  return entries;
}

/** Resolves once every pending registry write has landed (tests, shutdown). */
export async function registrySettled(): Promise<void> {
  await Promise.all([...chains.values()]);
}

function writeEntry(runDir: string, entry: RunEntry, log: (line: string) => void): void {
  const path = runEntryPath(runDir, entry.id);
  enqueue(path, async () => {
    ensureRunDir(runDir);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    await rename(temp, path);
  }).catch((error) => log(`process ${entry.id} (${entry.name}): cannot write its run entry: ${error}`));
}

function enqueue(path: string, write: () => Promise<void>): Promise<void> {
  const previous = chains.get(path) ?? Promise.resolve();
  const next = previous.then(write, write);
  const settled = next.catch(() => undefined);
  chains.set(path, settled);
  settled.then(() => {
    if (chains.get(path) === settled) chains.delete(path);
  });
  return next;
}

/** True for a parsed value with every field of a run entry (an entry file's, or a run journal line's). */
export function isRunEntry(entry: Partial<RunEntry>): entry is RunEntry {
  return (
    Number.isInteger(entry.id) &&
    typeof entry.name === 'string' &&
    Number.isInteger(entry.pid) &&
    (entry.pid ?? 0) > 0 &&
    typeof entry.startTicks === 'number' &&
    typeof entry.startedAt === 'number' &&
    typeof entry.spawnedBy === 'number'
  );
}
