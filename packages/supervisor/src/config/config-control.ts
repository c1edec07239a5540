import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AlertRule,
  type AppSpec,
  type ConfigFileReload,
  type ConfigReloadResult,
  type ConfigSetApplied,
  fromErrorPayload,
  toErrorPayload,
  type VelosControl,
} from '@velos/core';
import type { DaemonConfig } from '@velos/core/config';
import { checkCommands } from '../command-check.js';
import type { ExtensionChange } from '../daemon-extensions.js';
import type { EventBus } from '../events/event-bus.js';
import type { ConfigWatches } from './config-watch.js';

/** The daemon's own config file inside the home. */
export const DAEMON_CONFIG_FILE = 'config.toml';

/**
 * Receives the `[[alerts]]` rules of a config file (config.toml or a linked file), validated, each time
 * it is applied; resolves, once they are in, with the rules the file had before (put back when applying
 * the rest of the file fails).
 */
export type AlertsHandler = (source: string, rules: AlertRule[]) => Promise<AlertRule[]>;
/** Throws when the rules of a config file cannot replace that file's (a name another source's rule has). */
export type AlertsCheck = (source: string, rules: AlertRule[]) => Promise<void>;

/** What the config commands need from the supervisor. */
export interface ConfigControlDeps {
  home: string;
  log: (line: string) => void;
  bus: EventBus;
  /** The supervisor's own control (start, stop, delete, reload, list). */
  control: () => VelosControl;
  /** The spec of every app in the table. */
  specs(): AppSpec[];
  /** The spec of the app `target` names (a name, an id or a namespace of one app); throws TARGET_NOT_FOUND. */
  specOf(target: string): AppSpec;
  isRunning(name: string): boolean;
  /** Resolves once the stops, restarts and deletes already queued on the app's processes have ended. */
  settled(name: string): Promise<void>;
  setSpec(name: string, spec: AppSpec): void;
  /** Sets an app's instance count as the file's (not as a run-time `velos scale`). */
  scale(name: string, instances: number): Promise<void>;
  onAlerts?: AlertsHandler;
  /** Checks a file's `[[alerts]]` before anything of the file is applied (a clash rejects the file). */
  checkAlerts?: AlertsCheck;
  /**
   * Told each good read of config.toml (the daemon's extensions follow its `[metrics]`); resolves with
   * what applying it changed, or failed to.
   */
  onDaemonConfig?: (config: DaemonConfig | null) => Promise<ExtensionChange[]> | undefined;
}

/** CFG-2 in the daemon: config.toml, linked config files, their watchers, and the config commands. */
export interface ConfigControl
  extends Pick<VelosControl, 'configReload' | 'configGet' | 'configSet' | 'configSetResult'> {
  /**
   * At daemon start: reads config.toml when there is one, and watches the files apps asked to, each
   * read again once (what was edited while the daemon was down applies).
   */
  init(): Promise<void>;
  /** SIGHUP: config.toml, then every linked file (errors are in the result, never thrown). */
  reloadAll(): Promise<ConfigReloadResult>;
  /** Watches the files of the apps started with `--watch-config` (after starts, deletes, restores). */
  syncWatches(): void;
  /** `[defaults]` and the rest of the last good config.toml (null: none read). */
  daemonConfig(): DaemonConfig | null;
  close(): void;
}

/**
 * Creates the config commands of the supervisor. Nothing is loaded until it is used: config.toml is
 * read at start only when it exists, and the parsers and schemas load with the first reload.
 */
export function createConfigControl(deps: ConfigControlDeps): ConfigControl {
  const daemonFile = join(deps.home, DAEMON_CONFIG_FILE);
  let current: DaemonConfig | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let watches: ConfigWatches | null = null;
  let watching: Promise<void> = Promise.resolve();
  let isClosed = false;

  /** Config operations run one after another (a watch, SIGHUP and a command may meet). */
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const result = chain.then(op, op);
    chain = result.catch(() => undefined);
    return result;
  };
  const reloadDeps = () => ({
    log: deps.log,
    bus: deps.bus,
    control: deps.control(),
    specs: deps.specs,
    isRunning: deps.isRunning,
    settled: deps.settled,
    setSpec: deps.setSpec,
    scale: deps.scale,
    defaults: () => current?.defaults,
    graceMs: () => current?.reloadGraceMs,
    ...(deps.onAlerts ? { onAlerts: deps.onAlerts } : {}),
    ...(deps.checkAlerts ? { checkAlerts: deps.checkAlerts } : {}),
  });
  /**
   * `--watch-config`: the `env_file`s each watched config file names (`configEnvFiles`), read when it
   * is first watched and again after each of its reloads; an edit of one reloads the files naming it.
   */
  const envFiles = new Map<string, string[]>();
  const reloadFile = async (file: string): Promise<ConfigFileReload> => {
    try {
      return await (await import('./config-reload.js')).reloadConfigFile(reloadDeps(), file);
    } finally {
      // the file may name other env files now
      if (envFiles.delete(file)) control.syncWatches();
    }
  };

  /**
   * A watched file's save: checked at once (a broken save is rejected now, not after the grace period of
   * a reload still in the queue), then reloaded in turn.
   */
  const reloadWatched = async (file: string): Promise<void> => {
    try {
      await (await import('./config-reload.js')).checkLinkedFile(reloadDeps(), file);
    } catch {
      return;
    }
    await serial(() => reloadFile(file)).catch(() => undefined);
  };

  /**
   * Reads config.toml; `isReload` (false at the daemon's start): its rules are checked against the other
   * sources' first (a clash rejects the file, as the user who asked is told), and it resolves once the
   * extensions applied it, with what they changed. At the start nothing waits for them, and a rule that
   * clashes is logged while the rest applies (rejecting the whole file would drop its [metrics] and [api]).
   */
  const readDaemonConfig = async (isReload = true): Promise<ConfigFileReload> => {
    const result: ConfigFileReload = {
      file: daemonFile,
      added: [],
      removed: [],
      changed: [],
      updated: [],
      scaled: [],
      unchanged: [],
      rolledBack: [],
    };
    const { loadDaemonConfig, parseAlertRules } = await import('@velos/core/config');
    try {
      const config = await loadDaemonConfig(daemonFile);
      // an invalid rule rejects the whole file, as an invalid key does
      const alerts = parseAlertRules(config?.alerts ?? [], DAEMON_CONFIG_FILE, daemonFile);
      // on a reload, a rule named like another source's rejects the file before any of it applies
      if (isReload) await deps.checkAlerts?.(daemonFile, alerts);
      if (config === null) {
        result.isMissing = true;
        if (current !== null) result.wasRemoved = true;
      }
      const sections = changedSections(current, config);
      if (sections.length > 0) result.settings = sections;
      current = config;
      for (const warning of config?.warnings ?? []) deps.log(`warning: ${warning}`);
      if (config?.warnings.length) result.warnings = [...config.warnings];
      if (config) deps.log(`read ${daemonFile}`);
      void deps.onAlerts?.(daemonFile, alerts);
      const applying = deps.onDaemonConfig?.(current);
      // at the daemon's start the extensions apply it in the background: the restore does not wait
      const changes = (isReload ? await applying : undefined) ?? [];
      if (changes.length > 0) result.applied = changes.map((change) => change.text);
      const failed = changes.filter((change) => change.isFailure).map((change) => change.text);
      if (failed.length > 0) result.failed = failed;
      // OBS-2 "config reloaded": told on the bus as a linked file's reload is (a missing file, none)
      if (isReload && (config !== null || result.wasRemoved)) {
        deps.bus.publish({
          kind: 'config.applied',
          severity: 'info',
          message: `${daemonFile}: ${sections.length > 0 ? `changed [${sections.join('], [')}]` : 'no change'}${failed.length > 0 ? `; failed: ${failed.join('; ')}` : ''}`,
          fields: { file: daemonFile, sections: sections.join(','), failed: failed.length },
        });
      }
    } catch (error) {
      (await import('./config-reload.js')).rejectFile(deps, daemonFile, error);
      const { code, message } = toErrorPayload(error);
      result.error = { code, message };
    }
    return result;
  };

  const linkedFiles = (): string[] => [
    ...new Set(deps.specs().flatMap((spec) => (spec.source ? [spec.source.file] : []))),
  ];
  const watchedFiles = (): Set<string> =>
    new Set(deps.specs().flatMap((spec) => (spec.source?.isWatched ? [spec.source.file] : [])));

  const control: ConfigControl = {
    async init() {
      if (existsSync(daemonFile)) await serial(() => readDaemonConfig(false));
      control.syncWatches();
      // a watched file edited while the daemon was down (velos kill, a reboot, velos update): the apps
      // restored what was saved, and the edit was never applied, the watch seeing only the next one
      for (const file of watchedFiles()) {
        deps.log(`config ${file}: watched, read again at daemon start`);
        void serial(() => reloadFile(file)).catch(() => undefined);
      }
    },

    configReload: (file) =>
      serial(async () => {
        if (file === daemonFile) {
          const result = await readDaemonConfig();
          if (result.error) throw fromErrorPayload(result.error);
          return { files: [result] };
        }
        if (file !== undefined) return { files: [await reloadFile(file)] };
        return reloadEverything();
      }),

    reloadAll: () => serial(reloadEverything),

    async configGet(target) {
      return deps.specOf(target);
    },

    configSet: async (target, changes) => (await control.configSetResult(target, changes)).spec,

    configSetResult: (target, changes) =>
      serial(async () => {
        const before = deps.specOf(target);
        const { applySpecChanges } = await import('./spec-changes.js');
        let after: AppSpec;
        try {
          // the **** a read shows for a secret, sent back, would become the secret: refused first
          (await import('./masked-env.js')).checkMaskedEnv(before, changes);
          after = await applySpecChanges(before, changes);
          // a new script, cwd or interpreter that is not there is refused as a start refuses it: the
          // running app would be restarted straight into errored (an unrelated key leaves it alone)
          if (hasCommandChanged(before, after)) checkCommands([after]);
          // so is one a start refuses (increment_var on no number…): the app was stopped, then not started
          (await import('./start-problems.js')).checkStartProblems([after]);
          (await import('./reload-plan.js')).checkChangedApp(after, deps.specs());
        } catch (error) {
          const { code, message } = toErrorPayload(error);
          deps.log(`config set ${before.name} rejected, nothing changed: ${message}`);
          // a warning: the caller (`velos config set`, PUT /config/…) was told; an invalid file is an error
          deps.bus.publish({
            kind: 'config.rejected',
            severity: 'warning',
            app: before.name,
            message: `${message} (nothing changed)`,
            fields: { code, error: message },
          });
          throw error;
        }
        if (before.source) {
          // a count set here is the app's own from now on, over the file's: no longer a run-time scale
          const { fileInstances: _scaled, ...source } = before.source;
          after.source = {
            ...('instances' in changes ? source : before.source),
            overrides: { ...before.source.overrides, ...changes },
          };
        }
        const { replaceSpec } = await import('./config-apply.js');
        // an app none of whose processes ran only took the spec, whatever replaceSpec says of it (a stop
        // under way ends first)
        await deps.settled(before.name);
        const wasRunning = deps.isRunning(before.name);
        const outcome = await replaceSpec(reloadDeps(), before, after);
        const applied: ConfigSetApplied = wasRunning ? outcome : 'stored';
        const keys = Object.keys(changes).join(', ');
        deps.log(`config set ${before.name}: ${keys}`);
        deps.bus.publish({
          kind: 'config.applied',
          severity: 'info',
          app: before.name,
          message: `${before.name}: config set ${keys}`,
          fields: { app: before.name, changed: 1, changedNames: before.name, keys },
        });
        return { spec: after, applied };
      }),

    syncWatches() {
      const files = watchedFiles();
      if (files.size === 0 && watches === null) return;
      // the watcher module loads with the first watched file; syncs wait for it in order
      watching = watching.then(async () => {
        if (isClosed) return;
        for (const file of envFiles.keys()) if (!files.has(file)) envFiles.delete(file);
        const unread = [...files].filter((file) => !envFiles.has(file));
        if (unread.length > 0) {
          const { configEnvFiles } = await import('@velos/core/config');
          for (const file of unread) envFiles.set(file, await configEnvFiles(file));
        }
        watches ??= (await import('./config-watch.js')).createConfigWatches({
          log: deps.log,
          onChange: (path) => {
            if (watchedFiles().has(path)) {
              deps.log(`config file changed: ${path}`);
              void reloadWatched(path);
            }
            for (const [file, paths] of envFiles) {
              if (!paths.includes(path)) continue;
              deps.log(`config ${file}: its env_file ${path} changed`);
              void serial(() => reloadFile(file)).catch(() => undefined);
            }
          },
        });
        watches.sync(new Set([...files, ...[...envFiles.values()].flat()]));
      });
    },

    daemonConfig: () => current,

    close() {
      isClosed = true;
      watches?.close();
    },
  };

  async function reloadEverything(): Promise<ConfigReloadResult> {
    const files: ConfigFileReload[] = [await readDaemonConfig()];
    for (const file of linkedFiles()) {
      try {
        files.push(await reloadFile(file));
      } catch (error) {
        const { code, message } = toErrorPayload(error);
        files.push({
          file,
          added: [],
          removed: [],
          changed: [],
          updated: [],
          scaled: [],
          unchanged: [],
          rolledBack: [],
          error: { code, message },
        });
      }
    }
    return { files };
  }

  return control;
}

/**
 * The top-level tables of config.toml (`defaults`, `metrics`, `alerts`, `reload`, `api`…) whose values
 * differ between two reads (a file created or removed: the tables it has), in the file's order.
 */
function changedSections(before: DaemonConfig | null, after: DaemonConfig | null): string[] {
  const tables = (config: DaemonConfig | null): Record<string, string> => {
    if (config === null) return {};
    const all: Record<string, unknown> = {
      defaults: config.defaults,
      reload: config.reloadGraceMs,
      metrics: config.metrics,
      alerts: config.alerts,
      ...config.sections,
    };
    const written: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) {
      const text = JSON.stringify(value);
      // an empty table is as good as none
      if (text !== undefined && text !== '{}' && text !== '[]') written[key] = text;
    }
    return written;
  };
  const [old, next] = [tables(before), tables(after)];
  const keys = [...new Set([...Object.keys(next), ...Object.keys(old)])];
  return keys.filter((key) => old[key] !== next[key]);
}

/** True when a change touches what the app's command is resolved from (its script, cwd, interpreter, PATH…). */
function hasCommandChanged(before: AppSpec, after: AppSpec): boolean {
  const command = (spec: AppSpec) =>
    JSON.stringify([spec.script, spec.args, spec.cwd, spec.interpreter, spec.interpreterArgs, spec.env.PATH]);
  return command(before) !== command(after);
}
