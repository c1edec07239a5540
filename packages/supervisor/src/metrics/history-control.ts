import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsHistory, MetricsHistoryRequest } from '@velos/core';
import type { ProcessRecord } from '../process-record.js';
import type { ProcessTable } from '../process-table.js';
import type { HistoryStore } from './history-store.js';

/** The history file in `$VELOS_HOME`. */
export const HISTORY_FILE = 'metrics-history.bin';
/** How often the history is written to its file while something changed. */
export const HISTORY_SAVE_INTERVAL_MS = 5 * 60 * 1000;

type HistoryRuntime = typeof import('./history-runtime.js');

/** OBS-7 in the daemon: the history store fed by the monitor, its file, and the `metrics.history` command. */
export interface HistoryControl {
  /** Records the table's latest monitor sample (call after every sample). */
  record(now?: number): void;
  /** Drops a deleted process's history. */
  forget(id: number): void;
  /** Reads the history file, if any, into the store for the processes the table has (after the restore). */
  load(): Promise<void>;
  /** Writes the history file now when something changed since the last write. */
  save(): void;
  metricsHistory(request: MetricsHistoryRequest): Promise<MetricsHistory[]>;
  /** Writes the file and stops the periodic write. */
  close(): void;
}

/**
 * Creates the history of the supervisor's processes, saved in `home` every 5 minutes and at shutdown;
 * the store and its code load on the first sample of a running process (or a file to read), so an idle
 * daemon holds none of it.
 */
export function createHistoryControl(deps: {
  home: string;
  table: ProcessTable;
  intervalMs: number;
  log: (line: string) => void;
  /** The restarts of a process since it was added, which `velos reset` does not lower (the exported counter's). */
  restartsOf: (record: ProcessRecord) => number;
}): HistoryControl {
  const { table, log } = deps;
  const path = join(deps.home, HISTORY_FILE);
  const isKnown = (id: number, name: string): boolean => table.records.get(id)?.app.spec.name === name;
  let runtime: HistoryRuntime | null = null;
  let loading: Promise<HistoryRuntime> | null = null;
  let store: HistoryStore | null = null;
  let timer: NodeJS.Timeout | null = null;
  let isClosed = false;

  const storeOf = async (): Promise<HistoryStore> => {
    loading ??= import('./history-runtime.js');
    runtime = await loading;
    store ??= new runtime.HistoryStore(deps.intervalMs);
    if (!timer) {
      timer = setInterval(save, HISTORY_SAVE_INTERVAL_MS);
      timer.unref();
    }
    return store;
  };

  function save(): void {
    if (!store?.isDirty || !runtime) return;
    store.isDirty = false;
    try {
      store.prune(isKnown);
      runtime.writeHistoryFile(path, store);
    } catch (error) {
      log(`metrics history: cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return {
    record(now = Date.now()) {
      if (isClosed) return;
      if (!store) {
        // the samples taken while the code loads (one, mostly) are not recorded
        storeOf().catch((error: unknown) => log(`metrics history: ${String(error)}`));
        return;
      }
      for (const record of table.records.values()) {
        const counters = record.pipeline.counters();
        store.add(record.id, record.app.spec.name, now, {
          isRunning: record.pid !== null,
          cpu: record.cpu,
          memory: record.memory,
          restarts: deps.restartsOf(record),
          logLines: counters.out + counters.err,
        });
      }
    },
    forget: (id) => store?.forget(id),
    async load() {
      if (!existsSync(path)) return;
      try {
        const into = await storeOf();
        const loaded = runtime!.readHistoryFile(path, into, isKnown);
        if (loaded > 0) log(`metrics history: loaded ${loaded} process(es) from ${path}`);
      } catch (error) {
        log(`metrics history: ignoring ${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    save,
    async metricsHistory(request) {
      const processes = table.select(request.target).map((record) => ({
        id: record.id,
        name: record.app.spec.name,
        instance: record.instance,
        namespace: record.app.spec.namespace,
        // the restarts before the window's first point (or before any) count from these
        createdAt: record.createdAt,
        restarts: deps.restartsOf(record),
      }));
      // a question before the first sample loads the store, empty: its answer still counts restarts
      return (await storeOf()).query(processes, request);
    },
    close() {
      if (isClosed) return;
      save();
      isClosed = true;
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
