import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { readProcStat } from '../proc-scan.js';
import { ensureRunDir } from './run-files.js';
import { isRunEntry, type RunEntry, registrySettled } from './run-registry.js';

/**
 * The run journal of a run directory: one run entry a line, appended as each run is spawned, whatever
 * spawned it (a command, a crash or cron restart, a job, a restore). A run's own entry
 * (`run/<id>.json`) is written from an immediate after the spawn (issue 17: off the spawn path); a
 * daemon SIGKILLed in between left the new run unregistered, and the next daemon stopped it as a stray
 * and started the app again. The next daemon reads the journal with the entries (SUP-13).
 */
export const RUN_JOURNAL_FILE = 'starts.jsonl';

/** Past this size the journal is compacted to what it holds of runs whose entries may not be on disk yet. */
const COMPACT_BYTES = 64 * 1024;

/** The journal a daemon appends to: kept open, so that an append is one `write` (~10 µs). */
interface Journal {
  fd: number;
  bytes: number;
  /** While a compaction waits: the lines appended since it began, which it keeps. */
  kept: string | null;
}

const journals = new Map<string, Journal>();

/** A run just spawned, as the journal records it (its start ticks are read here). */
export interface JournalRun {
  id: number;
  name: string;
  pid: number;
  startedAt: number;
}

/**
 * Appends the entry of `run` (a process just spawned) to the journal of `runDir`, synchronously: one
 * `/proc/<pid>/stat` read and one `write`, nothing awaited. Returns the start ticks it read (0 where
 * `/proc` is missing or the process is gone: nothing is appended then).
 */
export function journalRunStart(runDir: string, run: JournalRun, log: (line: string) => void): number {
  const startTicks = readProcStat(run.pid)?.startTicks ?? 0;
  if (startTicks === 0) return 0;
  const entry: RunEntry = { ...run, startTicks, spawnedBy: process.pid };
  const line = `${JSON.stringify(entry)}\n`;
  try {
    const journal = openJournal(runDir);
    journal.bytes += writeSync(journal.fd, line);
    if (journal.kept !== null) journal.kept += line;
    else if (journal.bytes > COMPACT_BYTES) compactLater(runDir, journal, line);
  } catch (error) {
    log(`cannot append to ${join(runDir, RUN_JOURNAL_FILE)}: ${error}`);
  }
  return startTicks;
}

/**
 * The entries of the journal of `runDir` (a line torn by a daemon killed mid-write is skipped); a
 * missing journal has none.
 */
export function readRunJournal(runDir: string): RunEntry[] {
  let text: string;
  try {
    text = readFileSync(join(runDir, RUN_JOURNAL_FILE), 'utf8');
  } catch {
    return [];
  }
  const entries: RunEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const entry = JSON.parse(line) as Partial<RunEntry>;
      if (isRunEntry(entry)) entries.push(entry);
    } catch {
      // torn
    }
  }
  return entries;
}

/** Closes the journal this process appends to in `runDir` (the supervisor's close). */
export function closeRunJournal(runDir: string): void {
  const journal = journals.get(runDir);
  if (journal === undefined) return;
  journals.delete(runDir);
  try {
    closeSync(journal.fd);
  } catch {
    // closed already
  }
}

function openJournal(runDir: string): Journal {
  const open = journals.get(runDir);
  if (open !== undefined) return open;
  ensureRunDir(runDir);
  const fd = openSync(join(runDir, RUN_JOURNAL_FILE), APPEND_FLAGS, 0o600);
  const journal: Journal = { fd, bytes: fstatSync(fd).size, kept: null };
  journals.set(runDir, journal);
  return journal;
}

const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * Replaces the journal with what was appended from `text` (this append) on, once the run entries of the
 * runs appended before it are on disk: their spawns queued their entry's write from an immediate that
 * runs before this one's, and `registrySettled` waits for it. Appends go on meanwhile (they are kept):
 * a daemon restarting often never waits for a quiet moment. A new file is renamed over the old one, so
 * a daemon killed meanwhile leaves one or the other whole.
 */
function compactLater(runDir: string, journal: Journal, text: string): void {
  journal.kept = text;
  setImmediate(() => {
    void registrySettled().then(() => {
      const kept = journal.kept ?? '';
      journal.kept = null;
      if (journals.get(runDir) !== journal) return;
      const path = join(runDir, RUN_JOURNAL_FILE);
      const temp = `${path}.${process.pid}.tmp`;
      try {
        writeFileSync(temp, kept, { mode: 0o600 });
        renameSync(temp, path);
      } catch {
        // kept whole: the next append past the limit tries again
        return;
      }
      // the next append opens the new file
      closeRunJournal(runDir);
    });
  });
}
