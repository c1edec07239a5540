import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { effectiveExecMode } from '../cluster/exec-mode.js';
import { readProcStat, takeSnapshot, treePids } from '../proc-scan.js';
import type { ProcessRecord } from '../process-record.js';
import type { RunnerHooks } from '../process-runner.js';
import { stopTree } from '../tree-stop.js';
import { adoptRun } from './adopted-run.js';
import { findHomeProcesses } from './orphan-scan.js';
import {
  type PrimaryEntry,
  readPrimaryEntries,
  releasePrimarySlot,
  sweepPrimarySockets,
} from './primary-registry.js';
import { runDirOf } from './run-files.js';
import { readRunJournal } from './run-journal.js';
import { type RunEntry, readRunEntries, recordRunEnd } from './run-registry.js';

/** What the daemon did with the processes a previous daemon of its home left running. */
export interface OrphanSettlement {
  /** Records whose run is now a re-adopted orphan: they must not be spawned again. */
  adopted: Set<ProcessRecord>;
  /** One line per adoption or stop, for the daemon log and the CLI's start-up warnings. */
  warnings: string[];
}

/** What `settleOrphans` works on. */
export interface SettleOrphansOptions {
  home: string;
  /** The records just restored from the saved state. */
  records: ProcessRecord[];
  hooks: RunnerHooks;
  /**
   * Takes over a cluster primary a dead daemon left (the cluster runner's `takeOver`, once loaded):
   * the records whose worker it took over, or null when it cannot.
   */
  takeOverCluster?(entry: PrimaryEntry, records: ProcessRecord[]): Promise<ProcessRecord[] | null>;
  /** The daemon `velos update` replaced on purpose: what it left running is re-adopted without a warning. */
  replacedPid?: number;
}

/**
 * Settles the processes a daemon that died (SIGKILL, OOM, crash) left behind (SUP-13), before restore
 * launches anything: a run registry entry (or a line of the run journal: a run the dead daemon answered
 * for before its entry was written) whose pid is alive with the same start time is re-adopted
 * when the restored table has its process (a fork-mode service or a job run, same id and name), else
 * its tree is stopped; a registered cluster primary that is alive is taken over with the workers that
 * are runs of restored processes (else stopped); then every other live process whose environment
 * names this home (an unregistered primary, a grandchild that left its group) is stopped, so nothing
 * keeps running unseen.
 */
export async function settleOrphans(options: SettleOrphansOptions): Promise<OrphanSettlement> {
  const { home, hooks } = options;
  const runDir = runDirOf(home);
  const byId = new Map(options.records.map((record) => [record.id, record]));
  const adopted = new Set<ProcessRecord>();
  const warnings: string[] = [];
  const stops: Promise<void>[] = [];
  const stopping = new Set<number>();
  const stop = (pid: number, startTicks: number | undefined, what: string, record?: ProcessRecord): void => {
    stopping.add(pid);
    stops.push(stopOrphan(pid, startTicks, what, record, hooks, warnings));
  };

  const entries = readRunEntries(runDir);
  // a run whose entry the dead daemon had not written yet (it answered the start first): its journal
  // line; only one that names a live process, and not twice
  const journaled = new Set<RunEntry>();
  const registered = new Set(entries.map((entry) => `${entry.id}:${entry.pid}`));
  for (const entry of readRunJournal(runDir)) {
    const key = `${entry.id}:${entry.pid}`;
    if (entry.spawnedBy === process.pid || registered.has(key) || !isSameProcess(entry)) continue;
    registered.add(key);
    journaled.add(entry);
    entries.push(entry);
  }
  for (const entry of entries) {
    if (entry.spawnedBy === process.pid) continue;
    if (!isSameProcess(entry)) {
      recordRunEnd(runDir, entry.id);
      hooks.log(`run entry of process ${entry.id} (${entry.name}) pid ${entry.pid} is stale: ignored`);
      continue;
    }
    const record = byId.get(entry.id);
    const what = `${entry.name} (id ${entry.id}, pid ${entry.pid})`;
    if (record && isAdoptable(record, entry)) {
      adoptRun(record, entry, runDir, hooks);
      adopted.add(record);
      if (entry.spawnedBy === options.replacedPid)
        hooks.log(
          `orphans: re-adopted ${what}, left running by daemon pid ${entry.spawnedBy} (velos update)`,
        );
      else
        note(
          hooks,
          warnings,
          `re-adopted ${what}, left running by daemon pid ${entry.spawnedBy} that did not stop cleanly`,
        );
    } else {
      // a journal line has no entry file of its own: the file of that id may be another run's
      if (!journaled.has(entry)) recordRunEnd(runDir, entry.id);
      const why = record ? 'cannot be re-adopted (its app changed)' : 'is not in the saved state';
      stop(entry.pid, entry.startTicks, `${what} ${why}`, record);
    }
  }

  const primaries: number[] = [];
  for (const entry of readPrimaryEntries(runDir)) {
    if (entry.spawnedBy === process.pid) continue;
    const what = `cluster ${entry.name} (primary pid ${entry.pid})`;
    if (!isSameProcess(entry)) {
      releasePrimarySlot(runDir, entry.n);
      hooks.log(`run entry of the cluster primary of ${entry.name} pid ${entry.pid} is stale: ignored`);
      continue;
    }
    const taken = (await options.takeOverCluster?.(entry, options.records)) ?? null;
    if (taken === null) {
      releasePrimarySlot(runDir, entry.n);
      stop(
        entry.pid,
        entry.startTicks,
        `${what}: cannot be re-adopted (not a cluster app of the saved state, or no answer)`,
      );
      continue;
    }
    primaries.push(entry.pid);
    for (const record of taken) adopted.add(record);
    const workers = taken.map((record) => `${record.id}: pid ${record.pid}`).join(', ');
    if (entry.spawnedBy === options.replacedPid)
      hooks.log(
        `orphans: re-adopted ${what}, workers ${workers || 'none'}, left running by daemon pid ${entry.spawnedBy} (velos update)`,
      );
    else
      note(
        hooks,
        warnings,
        `re-adopted ${what}, workers ${workers || 'none'}, left running by daemon pid ${entry.spawnedBy} that did not stop cleanly`,
      );
  }
  sweepPrimarySockets(
    runDir,
    new Set(
      readPrimaryEntries(runDir)
        .filter((e) => e.spawnedBy === process.pid)
        .map((e) => e.n),
    ),
  );

  const found = findHomeProcesses(home);
  if (found.length > 0) {
    const snapshot = takeSnapshot();
    const kept = new Set<number>(ancestorsOfSelf(snapshot));
    for (const record of adopted) for (const pid of treePids(snapshot, record.pid!)) kept.add(pid);
    for (const pid of primaries) for (const member of treePids(snapshot, pid)) kept.add(member);
    for (const pid of stopping) for (const member of treePids(snapshot, pid)) kept.add(member);
    const adoptedIds = new Set([...adopted].map((record) => record.id));
    const strays = found.filter(({ pid, id }) => !kept.has(pid) && !(id !== null && adoptedIds.has(id)));
    for (const { pid, id, rawId } of strays) {
      const what = id === null ? rawId.replace(/-/g, ' ') : `process id ${id}`;
      stop(pid, snapshot.stats.get(pid)?.startTicks, `pid ${pid} (${what}, not registered)`);
    }
  }
  await Promise.all(stops);
  return { adopted, warnings };
}

/**
 * The runs a previous daemon left registered that are gone, by id: they ended while no daemon ran
 * (their exit unseen), so a restore treats each as an exit of unknown status, not as a first start.
 */
export function lostRuns(home: string): Map<number, Pick<RunEntry, 'name' | 'startedAt'>> {
  const lost = new Map<number, Pick<RunEntry, 'name' | 'startedAt'>>();
  for (const entry of readRunEntries(runDirOf(home)))
    if (entry.spawnedBy !== process.pid && !isSameProcess(entry))
      lost.set(entry.id, { name: entry.name, startedAt: entry.startedAt });
  return lost;
}

function isSameProcess(entry: { pid: number; startTicks: number }): boolean {
  const stat = readProcStat(entry.pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTicks === entry.startTicks;
}

/** A registered run is a spawned child: of a fork-mode service, or of a job (whose runs are always spawned). */
function isAdoptable(record: ProcessRecord, entry: RunEntry): boolean {
  const spec = record.app.spec;
  return spec.name === entry.name && hasRunEntries(spec) && record.run === null;
}

/**
 * True for an app whose runs get a run entry (a spawned child: a fork-mode service or a job); a cluster
 * worker's primary has an entry of its own instead.
 */
export function hasRunEntries(spec: AppSpec): boolean {
  return spec.type === 'job' || effectiveExecMode(spec) === 'fork';
}

async function stopOrphan(
  pid: number,
  startTicks: number | undefined,
  what: string,
  record: ProcessRecord | undefined,
  hooks: RunnerHooks,
  warnings: string[],
): Promise<void> {
  const spec = record?.app.spec ?? APP_DEFAULTS;
  const result = await stopTree(pid, {
    signal: spec.stopSignal,
    killTimeoutMs: spec.killTimeoutMs,
    rootStartTicks: startTicks,
  });
  const left = result.remaining.length > 0 ? `; pids ${result.remaining.join(', ')} survived SIGKILL` : '';
  note(
    hooks,
    warnings,
    `stopped ${what}, left running by a daemon that did not stop cleanly (pids ${result.pids.join(', ')})${left}`,
  );
}

function note(hooks: RunnerHooks, warnings: string[], line: string): void {
  hooks.log(`orphans: ${line}`);
  warnings.push(line);
}

/** This process and its ancestors: a CLI run by a supervised app may have started this daemon. */
function ancestorsOfSelf(snapshot: ReturnType<typeof takeSnapshot>): number[] {
  const chain: number[] = [];
  for (let pid = process.pid; pid > 1 && !chain.includes(pid); ) {
    chain.push(pid);
    pid = snapshot.stats.get(pid)?.ppid ?? 0;
  }
  return chain;
}
