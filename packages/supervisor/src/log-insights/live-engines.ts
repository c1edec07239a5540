import type { AppSpec, EventInput, LogRuleSpec } from '@velos/core';
import type { LineBatch } from '../logs/index.js';
import type { StatusEvent } from '../process-status.js';
import type { EventSource } from '../typed-emitter.js';

type LiveEngineModule = typeof import('./live-engine.js');
type LiveEngine = ReturnType<LiveEngineModule['createLiveEngine']>;
type LiveBudget = InstanceType<LiveEngineModule['LiveBudget']>;

interface AppState {
  engine: LiveEngine | null;
  /** The `log_rules` the engine classifies with (the spec's list, compared by identity). */
  rules: readonly LogRuleSpec[] | undefined;
  /** Lines counted before the engine loaded (the cheap path). */
  lines: number;
  isBroken: boolean;
}

/** How many processes of an app run, and since when (epoch ms; for an app just seen, when it was seen). */
interface RunState {
  processes: number;
  since: number;
}

/** How often the engines close their minutes when no line comes (a quiet app after a spike). */
const TICK_MS = 5000;

/**
 * The live log engine of every app that did not opt out (`log_engine = false`): until the engine
 * module is loaded — with `import()` on the first captured line of such an app, never at daemon
 * start — a batch only adds to a line counter; then each app gets a `createLiveEngine` (counters,
 * sampled classification, the miner on error lines, `log.anomaly`/`log.error_burst` events). All
 * engines share one classification budget (`LiveBudget`), so many chatty apps cost what one costs.
 * With `runs`, an engine hears how many processes of its app run: it leaves the time none runs out of
 * its error history, and expects errors in proportion to the processes running. That count is followed
 * from the app's first pipeline on (see `sinkFor`), so an engine created later (on the app's first
 * line, or when the module loads) starts from it, as if it had heard every status change.
 */
export function createLiveEngines(options: {
  publish: (event: EventInput) => void;
  log: (line: string) => void;
  /** The status changes of the processes, and how many processes of an app run (see `isRunningStatus`). */
  runs?: { statusEvents: EventSource<StatusEvent>; runningProcesses: (name: string) => number };
}) {
  const apps = new Map<string, AppState>();
  /** The apps followed (a pipeline asked for their sink, and they were not forgotten since). */
  const runStates = new Map<string, RunState>();
  let module: LiveEngineModule | null = null;
  let budget: LiveBudget | null = null;
  let isLoading = false;
  let timer: NodeJS.Timeout | null = null;
  let isClosed = false;

  const create = (name: string, lines: number): LiveEngine | null => {
    if (module === null) return null;
    budget ??= new module.LiveBudget();
    const engine = module.createLiveEngine(name, options.publish, lines, budget);
    const run = runStates.get(name);
    if (run !== undefined && run.processes !== 1) engine.setRunning(run.processes, run.since);
    return engine;
  };

  const load = (): void => {
    if (isLoading) return;
    isLoading = true;
    import('./live-engine.js').then(
      (loaded) => {
        module = loaded;
        if (isClosed) return;
        for (const [name, app] of apps) app.engine ??= create(name, app.lines);
        timer = setInterval(() => {
          const now = Date.now();
          for (const app of apps.values()) app.engine?.tick(now);
        }, TICK_MS);
        timer.unref();
      },
      (error) => options.log(`the live log engine could not be loaded: ${error}`),
    );
  };

  const stopFollowingRuns = options.runs?.statusEvents.subscribe(({ name, at }) => {
    const run = runStates.get(name);
    if (run === undefined) return;
    const processes = options.runs!.runningProcesses(name);
    if (processes === run.processes) return;
    run.processes = processes;
    run.since = at;
    apps.get(name)?.engine?.setRunning(processes, at);
  });

  return {
    /**
     * The view of one process's captured lines (returning its error lines), or undefined for an app that
     * opted out; from the first call for an app on, how many of its processes run is followed (until `forget`).
     * The app's current `log_rules` (`entry.spec`, replaced by a config reload) are read at each batch.
     */
    sinkFor(entry: { readonly spec: AppSpec }, id: number): ((batch: LineBatch) => number) | undefined {
      const spec = entry.spec;
      if (spec.logEngine === false) return undefined;
      const name = spec.name;
      if (options.runs && !isClosed && !runStates.has(name))
        runStates.set(name, { processes: options.runs.runningProcesses(name), since: Date.now() });
      return (batch) => {
        let app = apps.get(name);
        if (app === undefined) {
          if (isClosed) return 0;
          app = { engine: create(name, 0), rules: undefined, lines: 0, isBroken: false };
          apps.set(name, app);
        }
        if (app.engine === null) {
          app.lines += batch.lines;
          load();
          return 0;
        }
        if (app.isBroken) return 0;
        try {
          const rules = entry.spec.logRules;
          if (rules !== app.rules) {
            app.rules = rules;
            app.engine.setRules(rules);
          }
          return app.engine.push(batch, id);
        } catch (error) {
          // the engine is a help: a failure turns it off for this app, capture goes on
          app.isBroken = true;
          options.log(`the live log engine of ${name} failed and is off until the app is deleted: ${error}`);
          return 0;
        }
      };
    },
    /** Drops the engine of an app that was deleted. */
    forget(name: string): void {
      apps.get(name)?.engine?.dispose();
      apps.delete(name);
      runStates.delete(name);
    },
    /** Stops the timer and drops every engine. */
    close(): void {
      isClosed = true;
      stopFollowingRuns?.();
      if (timer) clearInterval(timer);
      apps.clear();
      runStates.clear();
    },
  };
}
