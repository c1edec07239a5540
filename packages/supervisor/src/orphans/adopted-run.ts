import { readProcStat } from '../proc-scan.js';
import type { ProcessRecord, ProcessRun } from '../process-record.js';
import { hasLeftovers, nextSpawnSeq, type RunnerHooks, stopLeftovers } from '../process-runner.js';
import { setStatus } from '../process-status.js';
import { openFifoReader } from './fifo-stdio.js';
import { fifoPath } from './run-files.js';
import { type RunEntry, recordRunAdopted, recordRunEnd } from './run-registry.js';

/** How often an adopted process is checked for life (it is not our child: no exit event comes). */
export const ADOPTED_POLL_MS = 500;

/**
 * A run left by a daemon that died, taken over by this one (SUP-13): its exit is noticed by polling
 * its pid and start time (and at once when its output FIFOs reach EOF), and reported as of unknown
 * status (reason `unknown`), with no exit code or signal: only its parent can wait for it. The
 * zombie's `exit_code` (field 52 of /proc/<pid>/stat) is readable only until its new parent (init
 * or a subreaper) reaps it, microseconds under systemd: a race, so it is not read.
 */
export class AdoptedRun implements ProcessRun {
  readonly pid: number;
  readonly isAdopted = true;
  readonly exited: Promise<void>;
  readonly startTicks: number;
  #hasExited = false;
  #markExited!: () => void;
  #timer: NodeJS.Timeout | null = null;

  constructor(entry: RunEntry) {
    this.pid = entry.pid;
    this.startTicks = entry.startTicks;
    this.exited = new Promise((resolve) => {
      this.#markExited = resolve;
    });
  }

  hasExited(): boolean {
    return this.#hasExited;
  }

  /** True while the adopted pid still names the same live process. */
  isAlive(): boolean {
    const stat = readProcStat(this.pid);
    return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTicks === this.startTicks;
  }

  /** Starts watching the process; `onGone` runs once, when it is found dead. */
  watch(onGone: () => void): void {
    const check = (): void => {
      if (this.#hasExited || this.isAlive()) return;
      this.#hasExited = true;
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = null;
      onGone();
      this.#markExited();
    };
    this.#timer = setInterval(check, ADOPTED_POLL_MS);
    this.#timer.unref();
    this.check = check;
  }

  /** Checks for life now (called when its output ends). */
  check: () => void = () => undefined;
}

/** True when a run was re-adopted from a previous daemon. */
export function isAdoptedRun(run: ProcessRun | null): run is AdoptedRun {
  return run instanceof AdoptedRun;
}

/**
 * Makes a live orphan the current run of its record: `online` with its old pid and start time, its
 * FIFOs read again from where the dead daemon stopped (output written meanwhile included), its run
 * entry rewritten as this daemon's (so a second crash re-adopts it again), monitoring woken; when it
 * ends the restart policy applies as for any run.
 */
export function adoptRun(
  record: ProcessRecord,
  entry: RunEntry,
  runDir: string,
  hooks: RunnerHooks,
): AdoptedRun {
  const run = new AdoptedRun(entry);
  for (const which of ['out', 'err'] as const) {
    try {
      const reader = openFifoReader(fifoPath(runDir, record.id, which));
      reader.once('end', () => run.check());
      record.pipeline.attach(reader, which, entry.pid);
    } catch (error) {
      hooks.log(`process ${record.id} (${entry.name}): cannot read its ${which} FIFO again: ${error}`);
    }
  }
  recordRunAdopted(runDir, entry, hooks.log);
  run.watch(() => {
    // a run given up by a stop was unregistered then: the entry may be a newer run's by now
    if (record.run !== run) return;
    recordRunEnd(runDir, record.id);
    record.run = null;
    record.pid = null;
    if (!record.isUserOp && hasLeftovers(record, entry.pid, entry.startTicks, hooks))
      record.leftovers = stopLeftovers(record, entry.pid, hooks, entry.startTicks);
    hooks.onExit(record, null, null, 'status-unknown');
  });
  record.run = run;
  record.pid = entry.pid;
  record.startedAt = entry.startedAt;
  record.lastStartedAt = entry.startedAt;
  setStatus(record, 'online');
  record.restartAt = null;
  record.spawnSeq = nextSpawnSeq();
  hooks.onOnline(record);
  return run;
}
