import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type AppSpec, ErrorCodes, HOME_LAYOUT, isVelosError, matchTarget, VelosError } from '@velos/core';
import type { AppEventReport } from './events/app-event-intake.js';
import { instanceLogPaths } from './instance-log-paths.js';
import { appLineClassifier, type RuledLineClassifier } from './log-levels.js';
import {
  createLogPipeline,
  type LineBatch,
  type LogPipeline,
  type LogTarget,
  type RotationOptions,
} from './logs/index.js';
import { fileHistory, historyOf } from './process-history.js';
import { type AppEntry, isActive, logPaths, type ProcessRecord } from './process-record.js';
import type { StatusEvent } from './process-status.js';
import type { SavedApp, SavedState } from './state-store.js';
import { matchTargets } from './targets.js';
import { createEmitter, type Emitter } from './typed-emitter.js';

/** An app change whose log files are open and whose ids are held: applied with `commit`, or dropped. */
export interface StagedApp {
  /** Applies the change to the table (cannot fail) and returns the app. */
  commit(): AppEntry;
  /** Closes what was opened; the table stays as it was. */
  abort(): void;
}

/**
 * The daemon's table of apps and their processes: allocates ids (from 0 up, never reused while
 * the table lives), opens each process's log pipeline and resolves targets.
 */
export class ProcessTable {
  readonly records = new Map<number, ProcessRecord>();
  readonly apps = new Map<string, AppEntry>();
  readonly #recordListeners = new Set<(record: ProcessRecord) => void>();
  /** Ids of staged apps not committed yet. */
  readonly #reserved = new Set<number>();
  /** Saved apps that could not be restored, by name: kept in `toState` until an app takes their name. */
  readonly #unrestored = new Map<string, SavedApp>();
  /** Levels for JSON Lines log files; set (see `loadLineClassifier`) before an app with them is added. */
  classify: RuledLineClassifier | undefined;
  /**
   * The live log engine's view of each process's captured lines (see `createLiveEngines`); it reads the
   * entry's current spec (its `log_rules` change in place).
   */
  lineSink: ((entry: AppEntry, id: number) => ((batch: LineBatch) => number) | undefined) | undefined;
  nextId = 0;
  /** Every status change of a process of this table (see `setStatus`). */
  readonly statusEvents: Emitter<StatusEvent>;
  /** OBS-2: what processes send that may be app events (JSON lines with `velos_event`, IPC messages). */
  readonly appEvents: Emitter<AppEventReport>;
  /** OBS-6: what processes send that may be custom metric reports (JSON lines with `velos_metric`, IPC messages). */
  readonly appMetrics: Emitter<AppEventReport>;

  constructor(
    private readonly home: string,
    private readonly log: (line: string) => void,
  ) {
    this.statusEvents = createEmitter((error) => log(`a status subscriber failed: ${error}`));
    this.appEvents = createEmitter((error) => log(`an app event subscriber failed: ${error}`));
    this.appMetrics = createEmitter((error) => log(`an app metric subscriber failed: ${error}`));
  }

  /** Every process, by id. */
  sorted(): ProcessRecord[] {
    return [...this.records.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * The processes of a target, or all of them when it is absent; of several targets, every process
   * one of them names, once, by id (each must name one: TARGET_NOT_FOUND names the first that does not).
   */
  select(target: string | string[] | undefined): ProcessRecord[] {
    if (target === undefined) return this.sorted();
    if (typeof target === 'string') return matchTargets(this.records.values(), target);
    return byId(target.flatMap((one) => matchTargets(this.records.values(), one)));
  }

  /**
   * Calls `listener` with every process created from now on, and with every process whose log
   * pipeline is replaced (its log settings changed); returns the function that stops it.
   */
  watchRecords(listener: (record: ProcessRecord) => void): () => void {
    this.#recordListeners.add(listener);
    return () => this.#recordListeners.delete(listener);
  }

  /** Adds an app with one stopped process per instance (reusing `savedIds` when restoring). */
  add(spec: AppSpec, savedIds?: number[]): AppEntry {
    return this.stageAdd(spec, savedIds).commit();
  }

  /**
   * Opens what `add` needs (the log pipelines: the step that can fail) without changing the table yet,
   * so that a start of several apps can give up on all of them when one log file cannot be opened.
   */
  stageAdd(spec: AppSpec, savedIds?: number[]): StagedApp {
    this.ensureLogDir();
    const entry: AppEntry = { spec: cloneSpec(spec), ids: [], ...logPaths(this.home, spec) };
    const ids = savedIds ? [...savedIds] : [];
    while (ids.length < spec.instances) ids.push(this.nextFreeId(ids));
    const pipelines = this.openPipelines(ids, entry);
    return this.#staged(ids, pipelines, () => {
      this.#unrestored.delete(spec.name);
      this.apps.set(spec.name, entry);
      ids.forEach((id, instance) => {
        entry.ids.push(id);
        this.createRecord(id, instance, entry, pipelines[instance]!);
      });
      return entry;
    });
  }

  /**
   * Gives a stopped app a new spec once committed: instances are added or removed, log pipelines
   * reopened if their files change (opened now, without changing the table: see `stageAdd`).
   */
  stageReplace(entry: AppEntry, spec: AppSpec): StagedApp {
    this.ensureLogDir();
    const next: AppEntry = { spec: cloneSpec(spec), ids: entry.ids, ...logPaths(this.home, spec) };
    const isLogChanged =
      next.outPath !== entry.outPath ||
      next.errPath !== entry.errPath ||
      next.combinedPath !== entry.combinedPath ||
      hasNewLogs(this.home, entry.spec, spec);
    const kept = entry.ids.slice(0, spec.instances);
    const added: number[] = [];
    while (kept.length + added.length < spec.instances) added.push(this.nextFreeId(added));
    // the kept processes' new pipelines start with empty rings: their files may hold their earlier lines
    const isSameFiles = next.outPath === entry.outPath && next.errPath === entry.errPath;
    const pipelines = this.openPipelines(
      isLogChanged ? [...kept, ...added] : added,
      next,
      isSameFiles ? kept : [],
    );
    return this.#staged(added, pipelines, () => {
      for (const id of entry.ids.slice(spec.instances)) this.remove(this.records.get(id)!);
      Object.assign(entry, { spec: next.spec, outPath: next.outPath, errPath: next.errPath });
      if (next.combinedPath === undefined) delete entry.combinedPath;
      else entry.combinedPath = next.combinedPath;
      if (isLogChanged) {
        for (const id of kept) {
          const record = this.records.get(id)!;
          this.closePipeline(record);
          record.pipeline = pipelines.shift()!;
          this.#announce(record);
        }
      }
      for (const id of added) {
        this.createRecord(id, entry.ids.length, entry, pipelines.shift()!);
        entry.ids.push(id);
      }
      return entry;
    });
  }

  /**
   * CFG-2: gives the pipelines of an app's processes, running or not, the log files and settings of
   * `spec` in place (see `LogPipeline.retarget`) and the app its new paths; the spec itself is the
   * caller's to set. A file that cannot be opened throws (see `logOpenError`) naming the app, and the
   * pipelines moved before it go back: nothing changed.
   */
  retargetLogs(entry: AppEntry, spec: AppSpec): void {
    this.ensureLogDir();
    const paths = logPaths(this.home, spec);
    const targetOf = (app: AppEntry | (typeof paths & { spec: AppSpec }), id: number): LogTarget => ({
      ...instanceLogPaths(app, id),
      format: app.spec.logFormat,
      dateFormat: app.spec.logDateFormat,
      rotation: rotationOf(app.spec),
      // the app's own entry: its classifier reads the rules of the spec the reload then sets
      ...(app.spec.logFormat === 'json' && this.classify
        ? { classify: appLineClassifier(this.classify, entry) }
        : {}),
    });
    const done: ProcessRecord[] = [];
    try {
      for (const id of entry.ids) {
        const record = this.records.get(id)!;
        record.pipeline.retarget(targetOf({ ...paths, spec }, id));
        done.push(record);
      }
    } catch (error) {
      for (const record of done) record.pipeline.retarget(targetOf(entry, record.id));
      const why = error instanceof Error ? error.message : String(error);
      throw new VelosError(isVelosError(error) ? error.code : ErrorCodes.INTERNAL, `${spec.name}: ${why}`, {
        cause: error,
        data: { name: spec.name },
      });
    }
    Object.assign(entry, { outPath: paths.outPath, errPath: paths.errPath });
    if (paths.combinedPath === undefined) delete entry.combinedPath;
    else entry.combinedPath = paths.combinedPath;
  }

  /** SUP-5 `scale`: adds `count` stopped processes to an app, with the next instance indexes and new ids. */
  addInstances(entry: AppEntry, count: number): ProcessRecord[] {
    const ids: number[] = [];
    while (ids.length < count) ids.push(this.nextFreeId(ids));
    const pipelines = this.openPipelines(ids, entry);
    return ids.map((id, i) => {
      const instance = Math.max(-1, ...entry.ids.map((other) => this.records.get(other)!.instance)) + 1;
      const record = this.createRecord(id, instance, entry, pipelines[i]!);
      entry.ids.push(id);
      return record;
    });
  }

  /** Removes a process (and its app once it has no process left) and closes its log pipeline. */
  remove(record: ProcessRecord): void {
    if (this.records.get(record.id) !== record) return;
    this.records.delete(record.id);
    record.app.ids = record.app.ids.filter((id) => id !== record.id);
    const name = record.app.spec.name;
    if (record.app.ids.length === 0 && this.apps.get(name) === record.app) this.apps.delete(name);
    this.closePipeline(record);
  }

  /**
   * Issue #19 item 2: keeps a saved app that could not be restored in the saved form of the table, so
   * one broken app never shrinks `state.json`; adding an app of its name (a start, a restore) drops it.
   */
  keepUnrestored(saved: SavedApp): void {
    this.#unrestored.set(saved.spec.name, saved);
  }

  /** True while the saved app `name` that could not be restored is kept (not deleted, nor replaced by a start). */
  isUnrestored(name: string): boolean {
    return this.#unrestored.has(name);
  }

  /**
   * `velos delete`'s selection: the processes of `target` and the saved apps that were not restored
   * (`keepUnrestored`) it names (`all`, a namespace, a name, one of their ids), which are dropped from
   * the saved form at once. Nothing matching either is TARGET_NOT_FOUND.
   */
  selectForDelete(target: string | string[]): { records: ProcessRecord[]; forgotten: SavedApp[] } {
    const unrestored = [...this.#unrestored.values()].flatMap((saved) =>
      saved.ids.map((id) => ({ id, name: saved.spec.name, namespace: saved.spec.namespace, saved })),
    );
    const records: ProcessRecord[] = [];
    const forgotten = new Set<SavedApp>();
    // every target is matched before anything is dropped: one that matches nothing fails them all
    for (const one of typeof target === 'string' ? [target] : target) {
      const hits = matchTarget(unrestored, one, (item) => item);
      records.push(...(hits.length === 0 ? this.select(one) : this.#selectOrNone(one)));
      for (const item of hits) forgotten.add(item.saved);
    }
    for (const saved of forgotten) this.#unrestored.delete(saved.spec.name);
    return { records: byId(records), forgotten: [...forgotten] };
  }

  #selectOrNone(target: string): ProcessRecord[] {
    try {
      return this.select(target);
    } catch (error) {
      if (isVelosError(error) && error.code === ErrorCodes.TARGET_NOT_FOUND) return [];
      throw error;
    }
  }

  /**
   * The saved form of the table (specs with env, ids, whether each app runs, each process's history
   * in the files' form, `FileHistory`), unrestored apps included.
   */
  toState(): SavedState {
    const apps = [...this.apps.values()].map((entry) => {
      const records = entry.ids.map((id) => this.records.get(id)!);
      return {
        spec: entry.spec,
        ids: [...entry.ids],
        running: records.some((record) => isActive(record.status)),
        history: records.map((record) => fileHistory(historyOf(record))),
      };
    });
    const unrestored = [...this.#unrestored.values()].map((saved) =>
      saved.history ? { ...saved, history: saved.history.map(fileHistory) } : saved,
    );
    return {
      version: 1,
      savedAt: Date.now(),
      nextId: this.nextId,
      apps: [...apps, ...unrestored],
    };
  }

  /**
   * Stages every app of a start (see `stageAdd`): when one app's log file cannot be opened, what was
   * opened for the others is closed and the error, naming that app, is thrown; the table is unchanged.
   */
  stageAll(specs: AppSpec[]): StagedApp[] {
    const staged: StagedApp[] = [];
    for (const spec of specs) {
      try {
        const existing = this.apps.get(spec.name);
        staged.push(existing ? this.stageReplace(existing, spec) : this.stageAdd(spec));
      } catch (error) {
        for (const done of staged) done.abort();
        const others = specs.length > 1 ? '; no app of this start was started' : '';
        const why = error instanceof Error ? error.message : String(error);
        const code = isVelosError(error) ? error.code : ErrorCodes.INTERNAL;
        throw new VelosError(code, `${spec.name}: ${why}${others}`, {
          cause: error,
          data: { name: spec.name },
        });
      }
    }
    return staged;
  }

  private createRecord(id: number, instance: number, app: AppEntry, pipeline: LogPipeline): ProcessRecord {
    const record: ProcessRecord = {
      id,
      instance,
      app,
      status: 'stopped',
      isStatusRestored: false,
      statusEvents: this.statusEvents,
      pid: null,
      run: null,
      restarts: 0,
      restartsCleared: 0,
      requestedRestarts: 0,
      unstableRestarts: 0,
      backoffMs: 0,
      startedAt: null,
      lastStartedAt: null,
      createdAt: Date.now(),
      exitCode: null,
      signal: null,
      lastExitReason: null,
      restartAt: null,
      cpu: 0,
      memory: 0,
      cpuPeak: 0,
      memoryPeak: 0,
      sampledPid: null,
      cpuSampledPid: null,
      pipeline,
      isUserOp: false,
      leftovers: null,
      ops: Promise.resolve(),
      spawnSeq: 0,
    };
    this.records.set(id, record);
    if (id >= this.nextId) this.nextId = id + 1;
    this.#announce(record);
    return record;
  }

  /** Holds `ids` (no other staged app takes them) until the staged change is applied or dropped. */
  #staged(ids: number[], pipelines: LogPipeline[], apply: () => AppEntry): StagedApp {
    for (const id of ids) this.#reserved.add(id);
    let isSettled = false;
    const settle = (): void => {
      if (isSettled) throw new Error('a staged app is committed or aborted once');
      isSettled = true;
      for (const id of ids) this.#reserved.delete(id);
    };
    return {
      commit: () => {
        settle();
        return apply();
      },
      abort: () => {
        settle();
        for (const pipeline of pipelines) pipeline.close().catch(() => undefined);
      },
    };
  }

  #announce(record: ProcessRecord): void {
    for (const listener of this.#recordListeners) listener(record);
  }

  /** The lowest id from `nextId` on that is neither in the table nor in `taken`. */
  private nextFreeId(taken: number[]): number {
    let id = this.nextId;
    while (this.records.has(id) || this.#reserved.has(id) || taken.includes(id)) id += 1;
    return id;
  }

  /**
   * Opens one pipeline per id, or none: a log file that cannot be opened fails the whole operation.
   * `keptIds`: processes whose earlier pipeline wrote lines no new ring holds.
   */
  private openPipelines(ids: number[], entry: AppEntry, keptIds: number[] = []): LogPipeline[] {
    const opened: LogPipeline[] = [];
    try {
      for (const id of ids) {
        opened.push(
          createLogPipeline({
            id,
            name: entry.spec.name,
            ...instanceLogPaths(entry, id),
            format: entry.spec.logFormat,
            dateFormat: entry.spec.logDateFormat,
            rotation: rotationOf(entry.spec),
            homeLogsDir: join(this.home, HOME_LAYOUT.logs),
            onLines: this.lineSink?.(entry, id),
            ...(entry.spec.logFormat === 'json' && this.classify
              ? { classify: appLineClassifier(this.classify, entry) }
              : {}),
            onError: (error) => this.log(`process ${id} (${entry.spec.name}): ${error.message}`),
            onAppEventLine: (line) => this.appEvents.emit({ id, name: entry.spec.name, value: line }),
            onAppMetricLine: (line) => this.appMetrics.emit({ id, name: entry.spec.name, value: line }),
            hasEarlierLines: keptIds.includes(id),
          }),
        );
      }
    } catch (error) {
      for (const pipeline of opened) pipeline.close().catch(() => undefined);
      throw error;
    }
    return opened;
  }

  private closePipeline(record: ProcessRecord): void {
    record.pipeline
      .close()
      .catch((error) =>
        this.log(`process ${record.id} (${record.app.spec.name}): closing its logs failed: ${error}`),
      );
  }

  private ensureLogDir(): void {
    mkdirSync(join(this.home, 'logs'), { recursive: true, mode: 0o700 });
  }
}

/** True when the log files or their settings (rotation, line format) differ between two specs of an app. */
export function hasNewLogs(home: string, before: AppSpec, after: AppSpec): boolean {
  const [a, b] = [logPaths(home, before), logPaths(home, after)];
  return (
    a.outPath !== b.outPath ||
    a.errPath !== b.errPath ||
    a.combinedPath !== b.combinedPath ||
    before.logPerInstance !== after.logPerInstance ||
    before.logFormat !== after.logFormat ||
    before.logDateFormat !== after.logDateFormat ||
    JSON.stringify(rotationOf(before)) !== JSON.stringify(rotationOf(after))
  );
}

/** The log rotation settings of an app, as the log pipeline takes them. */
function rotationOf(spec: AppSpec): RotationOptions {
  return {
    maxBytes: spec.logMaxBytes,
    cron: spec.logRotateCron,
    retain: spec.logRetain,
    compress: spec.logCompress,
  };
}

function cloneSpec(spec: AppSpec): AppSpec {
  return {
    ...spec,
    args: [...spec.args],
    env: { ...spec.env },
    ...(spec.ownEnv ? { ownEnv: { ...spec.ownEnv } } : {}),
    interpreterArgs: [...spec.interpreterArgs],
    stopExitCodes: [...spec.stopExitCodes],
  };
}

/** `records` without repeats, by id. */
function byId(records: ProcessRecord[]): ProcessRecord[] {
  return [...new Set(records)].sort((a, b) => a.id - b.id);
}
