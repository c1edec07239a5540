import { join } from 'node:path';
import type { MetricsHistory, MetricsHistoryRequest } from '@velos/core';
import type { ProcessTable } from '../process-table.js';
import { HISTORY_FILE, readHistoryFile, writeHistoryFile } from './history-file.js';
import { HistoryStore } from './history-store.js';

/** How often the history is written to its file while something changed. */
export const HISTORY_SAVE_INTERVAL_MS = 5 * 60 * 1000;

/** OBS-7 in the daemon: the history store fed by the monitor, its file, and the `metrics.history` command. */
export interface HistoryControl {
  /** Records the table's latest monitor sample (call after every sample). */
  record(now?: number): void;
  /** Drops a deleted process's history. */
  forget(id: number): void;
  /** Reads the history file into the store for the processes the table has (after the restore). */
  load(): void;
  /** Writes the history file now when something changed since the last write. */
  save(): void;
  metricsHistory(request: MetricsHistoryRequest): Promise<MetricsHistory[]>;
  /** Writes the file and stops the periodic write. */
  close(): void;
}

/** Creates the history of the supervisor's processes, saved in `home` every 5 minutes and at shutdown. */
export function createHistoryControl(deps: {
  home: string;
  table: ProcessTable;
  intervalMs: number;
  log: (line: string) => void;
}): HistoryControl {
  const { table, log } = deps;
  const store = new HistoryStore(deps.intervalMs);
  const path = join(deps.home, HISTORY_FILE);
  let timer: NodeJS.Timeout | null = null;
  let isClosed = false;

  const save = (): void => {
    if (!store.isDirty) return;
    store.isDirty = false;
    try {
      store.prune((id, name) => table.records.get(id)?.app.spec.name === name);
      writeHistoryFile(path, store);
    } catch (error) {
      log(`metrics history: cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return {
    record(now = Date.now()) {
      if (isClosed) return;
      for (const record of table.records.values()) {
        const counters = record.pipeline.counters();
        store.add(record.id, record.app.spec.name, now, {
          isRunning: record.pid !== null,
          cpu: record.cpu,
          memory: record.memory,
          restarts: record.restarts,
          logLines: counters.out + counters.err,
        });
      }
      if (!timer && store.series.size > 0) {
        timer = setInterval(save, HISTORY_SAVE_INTERVAL_MS);
        timer.unref();
      }
    },
    forget: (id) => store.forget(id),
    load() {
      try {
        const loaded = readHistoryFile(
          path,
          store,
          (id, name) => table.records.get(id)?.app.spec.name === name,
        );
        if (loaded > 0) log(`metrics history: loaded ${loaded} process(es) from ${path}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
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
      }));
      return store.query(processes, request);
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
