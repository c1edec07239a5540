import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { isAlive, onlineRows, readLines, readPidFile, waitFor, withClient } from '../e2e/helpers.js';

export { freePort } from '../e2e/free-port.js';
export {
  cleanupHomes,
  clearApps,
  createHome,
  deleteApps,
  descendantsOf,
  FIXTURES as FIXTURE_DIR,
  homeProcesses,
  isAlive,
  killPid,
  type ListRow,
  listJson,
  listProcs,
  listState,
  outLog,
  readLines,
  readPidFile,
  rowsNamed,
  SeenProcesses,
  sharedHome,
  spawnVelos,
  VELOS_BIN,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from '../e2e/helpers.js';

/** The chaos project's own fixture programs. */
export const CHAOS_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/**
 * A job's run history, newest first, as `velos runs <job> --json --limit <limit>` prints it, read over the
 * daemon's socket (no CLI process each round of a poll): the history the daemon recorded is what the
 * chaos tests check, not the command's output. Throws when no daemon answers (no daemon is started).
 */
export async function runsState<T>(home: string, name: string, limit = 20): Promise<T[]> {
  const runs = await withClient(home, (client) => client.runs(name, limit));
  // The CLI prints JSON: the same round trip drops undefined fields as it does.
  return JSON.parse(JSON.stringify(runs)) as T[];
}

/**
 * Pids of the live processes of this home (VELOS_HOME in their environment) whose command line is exactly
 * `words`. For polls: each process's cmdline is read first, and the environment only of those that match
 * (listProcs reads the stat, cmdline and environment of every process on the machine each time).
 */
export function homeCommandPids(home: string, words: string[]): number[] {
  const cmdline = `${words.join('\0')}\0`;
  const homeVar = `\0VELOS_HOME=${home}\0`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8') !== cmdline) continue;
      if (!`\0${readFileSync(`/proc/${name}/environ`, 'utf8')}`.includes(homeVar)) continue;
    } catch {
      continue; // gone meanwhile
    }
    if (isAlive(Number(name))) pids.push(Number(name));
  }
  return pids;
}

/** SIGKILLs the daemon of a home by the pid in velos.pid and waits until it is gone; returns its pid. */
export async function killDaemon(home: string): Promise<number> {
  const pid = readPidFile(home);
  expect(pid).not.toBeNull();
  process.kill(pid!, 'SIGKILL');
  await waitFor(() => !isAlive(pid), { message: 'the SIGKILLed daemon to be gone' });
  return pid!;
}

/** The numbers `pattern` captures (group 1) in these lines, in file order. */
export function numbersIn(lines: string[], pattern: RegExp): number[] {
  const out: number[] = [];
  for (const line of lines) {
    const found = pattern.exec(line)?.[1];
    if (found !== undefined) out.push(Number(found));
  }
  return out;
}

/** The numbers `pattern` captures in a file's lines. */
export function numbersInFile(path: string, pattern: RegExp): number[] {
  return numbersIn(readLines(path), pattern);
}

/** What a sequence 1..total looks like once captured: missing numbers (as ranges) and duplicates. */
export interface SequenceCheck {
  seen: number;
  duplicates: number;
  missing: number;
  /** Runs of consecutive missing numbers, `[from, to]` both included. */
  gaps: Array<[number, number]>;
}

/** Compares the numbers seen with 1..total. */
export function checkSequence(seen: number[], total: number): SequenceCheck {
  const marks = new Uint8Array(total + 1);
  let duplicates = 0;
  for (const n of seen) {
    if (n < 1 || n > total) continue;
    if (marks[n]) duplicates += 1;
    marks[n] = 1;
  }
  const gaps: Array<[number, number]> = [];
  let missing = 0;
  for (let n = 1; n <= total; n += 1) {
    if (marks[n]) continue;
    missing += 1;
    const last = gaps.at(-1);
    if (last && last[1] === n - 1) last[1] = n;
    else gaps.push([n, n]);
  }
  return { seen: seen.length, duplicates, missing, gaps };
}

/** The events of a home's `velos events --json` with this kind (the CLI's default window). */
export function eventKinds(stdout: string): Array<{ kind: string; [key: string]: unknown }> {
  return JSON.parse(stdout) as Array<{ kind: string }>;
}

/** True when a file parses as JSON. */
export function isJsonFile(path: string): boolean {
  try {
    JSON.parse(readFileSync(path, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

export { onlineRows };
