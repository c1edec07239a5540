import { availableParallelism } from 'node:os';
import {
  type AlertRule,
  type AppSpec,
  type ConfigFileReload,
  ErrorCodes,
  inheritedPartOf,
  isVelosError,
  toErrorPayload,
  VelosError,
} from '@velos/core';
import { checkCommands } from '../command-check.js';
import type { EventBus } from '../events/event-bus.js';
import { type ApplyDeps, MIN_RELOAD_GRACE_MS, replaceSpec, watchGrace } from './config-apply.js';
import type { AlertsCheck, AlertsHandler } from './config-control.js';
import { applyReloadSteps } from './reload-apply.js';
import { planReload, type ReloadStep } from './reload-plan.js';
import { withRunTimeScale } from './run-time-scale.js';
import { applySpecChanges, loadConfigModule } from './spec-changes.js';
import { diffSpecs, type SpecDiff } from './spec-diff.js';
import { changeEffect, isInPlace } from './spec-keys.js';
import { checkStartProblems } from './start-problems.js';

/** A JavaScript config file (PM2's `ecosystem.config.js`): only the CLI loads it, so no app is linked to it. */
const JS_CONFIG = /\.[cm]?js$/i;

/** What a config file reload needs from the supervisor. */
export interface ReloadDeps extends ApplyDeps {
  log: (line: string) => void;
  bus: EventBus;
  /** The spec of every app in the table. */
  specs(): AppSpec[];
  /** `[defaults]` of the last good config.toml. */
  defaults(): Record<string, unknown> | undefined;
  /** `[reload] grace` of the last good config.toml. */
  graceMs(): number | undefined;
  /** OBS-3: the file's `[[alerts]]`, validated with its apps, replace the rules of that file once applied. */
  onAlerts?: AlertsHandler;
  /** Checks the file's `[[alerts]]` against the other sources' rules before any app changes. */
  checkAlerts?: AlertsCheck;
}

/**
 * CFG-2: re-reads one linked config file, validates it whole with the apps the daemon would then
 * hold (an invalid file, a missing dependency, a cycle, or an app to start or restart whose script
 * file or interpreter is not there changes nothing and raises
 * `config.rejected`), then applies the difference against the apps linked to that file: removed
 * apps are deleted, new apps start, apps whose policy keys only changed take them in place (`updated`),
 * apps whose instance count changed are scaled (`scaled`), other changed ones restart (cluster apps
 * reload) with dependencies first, the others are left alone. Apps outside the `--only` selection of
 * the link are left out; a count set by `velos scale` stays while the file's count is the one it
 * replaced. A step that fails undoes the steps before it; restarted apps that fail within the grace
 * period run their previous spec again (`config.rolled_back`).
 */
export async function reloadConfigFile(deps: ReloadDeps, file: string): Promise<ConfigFileReload> {
  const linked = deps.specs().filter((spec) => spec.source?.file === file);
  if (linked.length === 0) {
    // velos start of a JavaScript file links nothing: saying to start it again sent users in a circle
    const how = JS_CONFIG.test(file)
      ? `a JavaScript file's apps are not linked to it, the daemon never runs the file: velos startOrReload ${file} applies its changes`
      : `apps are linked to the config file they were started from: velos start ${file}`;
    throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no app is linked to ${file} (${how})`, {
      data: { file },
    });
  }
  let next: AppSpec[];
  let leftOut: string[];
  let warnings: string[];
  let alerts: AlertRule[];
  let diff: SpecDiff;
  let steps: ReloadStep[];
  try {
    ({ specs: next, leftOut, warnings } = await readLinkedFile(deps, file, linked));
    alerts = (await (await loadConfigModule()).loadConfigAlerts(file)) ?? [];
    await deps.checkAlerts?.(file, alerts);
    diff = diffSpecs(linked, next);
    const others = deps.specs().filter((spec) => spec.source?.file !== file);
    steps = planReload(file, diff, next, others);
    // the apps the reload starts whose script or interpreter is not there, or whose spec a start refuses,
    // refuse it whole, before any step
    const starting = [
      ...diff.added,
      ...diff.changed.filter((c) => kindOf(c) === 'changed').map((c) => c.after),
    ];
    checkCommands(starting);
    checkStartProblems(starting);
  } catch (error) {
    rejectFile(deps, file, error);
    throw error;
  }
  // a change applied in place or by a scale by `replaceSpec` leaves no new processes to watch
  const namesOf = (kind: ChangeKind): string[] =>
    diff.changed.filter((change) => kindOf(change) === kind).map(({ after }) => after.name);
  const restarted = diff.changed.filter((change) => kindOf(change) === 'changed');
  const result: ConfigFileReload = {
    file,
    added: diff.added.map((spec) => spec.name),
    removed: diff.removed.map((spec) => spec.name),
    changed: namesOf('changed'),
    updated: namesOf('updated'),
    scaled: namesOf('scaled'),
    unchanged: diff.unchanged.map((spec) => spec.name),
    ...(leftOut.length > 0 ? { leftOut } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
    rolledBack: [],
  };
  for (const warning of warnings) deps.log(`config ${file}: warning: ${warning}`);
  const watched = restarted.filter(({ after }) => deps.isRunning(after.name)).map(({ after }) => after);
  // OBS-3: the file's rules are in before its apps change (an added app that exits at once is seen);
  // a reload rolled back puts the file's earlier rules back
  const earlierAlerts = await deps.onAlerts?.(file, alerts);
  try {
    await applyReloadSteps(deps, file, steps);
  } catch (error) {
    if (earlierAlerts) await deps.onAlerts?.(file, earlierAlerts);
    publishRolledBack(deps, file, error);
    throw error;
  }
  for (const spec of diff.unchanged) {
    // the link (a new --watch-config) may differ while the spec is the same
    const now = next.find((n) => n.name === spec.name)!;
    if (JSON.stringify(now.source) !== JSON.stringify(spec.source))
      deps.setSpec(spec.name, { ...spec, source: now.source });
  }
  const total = result.added.length + result.removed.length + diff.changed.length;
  const outside = leftOut.length > 0 ? `, ${leftOut.length} left out (--only)` : '';
  deps.log(
    `config ${file}: ${result.added.length} added, ${result.removed.length} removed, ${result.changed.length} changed, ${result.updated.length} updated in place, ${result.scaled.length} scaled, ${result.unchanged.length} unchanged${outside}`,
  );
  deps.bus.publish({
    kind: 'config.applied',
    severity: 'info',
    message: `${file}: ${total === 0 ? 'no change' : `added ${list(result.added)}, removed ${list(result.removed)}, changed ${list(result.changed)}, updated in place ${list(result.updated)}, scaled ${list(result.scaled)}`}`,
    fields: {
      file,
      added: result.added.length,
      removed: result.removed.length,
      changed: result.changed.length,
      updated: result.updated.length,
      scaled: result.scaled.length,
      addedNames: result.added.join(','),
      removedNames: result.removed.join(','),
      changedNames: result.changed.join(','),
      updatedNames: result.updated.join(','),
      scaledNames: result.scaled.join(','),
    },
  });
  const minUptime = Math.max(0, ...watched.map((spec) => spec.minUptimeMs));
  const graceMs = deps.graceMs() ?? Math.max(minUptime, MIN_RELOAD_GRACE_MS);
  const failures = await watchGrace(
    deps.control,
    watched.map((spec) => spec.name),
    graceMs,
  );
  if (failures.size > 0) await rollBack(deps, file, diff.changed, failures, result);
  return result;
}

/** Marks the failure of a reload that changed nothing: logged and raised as `config.rejected`. */
export function rejectFile(deps: Pick<ReloadDeps, 'log' | 'bus'>, file: string, error: unknown): void {
  const { code, message } = toErrorPayload(error);
  deps.log(`config ${file} rejected, nothing changed: ${message}`);
  deps.bus.publish({
    kind: 'config.rejected',
    severity: 'error',
    message: `${message} (nothing changed)`,
    fields: { file, code, error: message },
  });
}

/** How a reload applies a changed app: in place, by a scale, or with new processes (watched for the grace period). */
type ChangeKind = 'updated' | 'scaled' | 'changed';

function kindOf({ before, after }: { before: AppSpec; after: AppSpec }): ChangeKind {
  const effect = changeEffect(before, after);
  if (isInPlace(effect)) return 'updated';
  return effect === 'scale' ? 'scaled' : 'changed';
}

/**
 * The apps of `file` the link takes (`only`: the union of the `--only` selections of the apps linked to
 * it; one app linked without a selection takes the whole file), with their link, inherited
 * environment, `config set` overrides and run-time scale; the names of the apps left out; and the
 * warnings of a PM2 process file.
 */
async function readLinkedFile(
  deps: ReloadDeps,
  file: string,
  linked: AppSpec[],
): Promise<{ specs: AppSpec[]; leftOut: string[]; warnings: string[] }> {
  // a PM2 process file's doubts (an unknown key, a PM2 option Velos ignores), as velos start prints them
  const warnings: string[] = [];
  const first = linked[0]!;
  const envProfile = first.source?.envProfile;
  const appendsEnvToName = first.source?.appendsEnvToName;
  const selection = selectionOf(linked);
  const loaded = await loadLinkedFile(deps, file, linked, (message) => warnings.push(message));
  const specs = selection ? loaded.filter((spec) => selection.has(spec.name)) : loaded;
  const leftOut = loaded.filter((spec) => !specs.includes(spec)).map((spec) => spec.name);
  const only = selection && specs.length > 0 ? specs.map((spec) => spec.name) : undefined;
  const isWatched = linked.some((spec) => spec.source?.isWatched === true);
  const others = new Map(deps.specs().map((spec) => [spec.name, spec]));
  const out: AppSpec[] = [];
  for (const spec of specs) {
    const old = linked.find((l) => l.name === spec.name);
    const other = others.get(spec.name);
    if (!old && other) {
      const where = other.source ? `linked to ${other.source.file}` : 'started without a config file';
      throw new VelosError(
        ErrorCodes.NAME_IN_USE,
        `${file}: an app named '${spec.name}' already exists (${where}); rename it in the file or delete that app`,
        { data: { name: spec.name, file } },
      );
    }
    // an app keeps the environment it inherited at its first start
    if (old) spec.env = { ...inheritedPartOf(old), ...(spec.ownEnv ?? {}) };
    const overrides = old?.source?.overrides;
    spec.source = {
      file,
      ...(envProfile === undefined ? {} : { envProfile }),
      ...(appendsEnvToName ? { appendsEnvToName } : {}),
      ...(isWatched ? { isWatched } : {}),
      ...(overrides ? { overrides } : {}),
      ...(only ? { only } : {}),
    };
    const next = overrides ? await applySpecChanges(spec, overrides) : spec;
    out.push(old ? withRunTimeScale(old, next) : next);
  }
  return { specs: out, leftOut, warnings };
}

/** Parses and validates `file` with the options of its link (the apps linked to it), as a reload reads it. */
async function loadLinkedFile(
  deps: Pick<ReloadDeps, 'defaults'>,
  file: string,
  linked: AppSpec[],
  onWarning: (message: string) => void,
): Promise<AppSpec[]> {
  const config = await loadConfigModule();
  const first = linked[0]!;
  const envProfile = first.source?.envProfile;
  const appendsEnvToName = first.source?.appendsEnvToName;
  const defaults = deps.defaults();
  const selection = selectionOf(linked);
  return config.loadConfigFile(file, {
    baseEnv: inheritedPartOf(first),
    cpuCount: availableParallelism(),
    ...(envProfile === undefined ? {} : { envProfile }),
    ...(appendsEnvToName ? { appendsEnvToName } : {}),
    ...(defaults === undefined ? {} : { defaults }),
    onWarning,
    // the warnings about the file's apps are of those the link takes
    ...(selection ? { only: [...selection] } : {}),
  });
}

/**
 * CFG-2: the first check of a watched file's save, made at once, without waiting in the daemon's queue
 * of config operations: a reload before it that restarted apps holds the queue while it watches them
 * for the grace period (5 s by default), and a save that broke the file was rejected only then. The
 * file is parsed and validated as its reload reads it (not against the daemon's other apps: that
 * waits for the reload); an invalid one is rejected now (`config.rejected`, daemon.log) and throws,
 * and no reload is queued for it. Resolves when the file passes, or no app is linked to it.
 */
export async function checkLinkedFile(
  deps: Pick<ReloadDeps, 'log' | 'bus' | 'specs' | 'defaults'>,
  file: string,
): Promise<void> {
  const linked = deps.specs().filter((spec) => spec.source?.file === file);
  if (linked.length === 0) return;
  try {
    await loadLinkedFile(deps, file, linked, () => undefined);
  } catch (error) {
    rejectFile(deps, file, error);
    throw error;
  }
}

/** The names the `--only` selections of the linked apps take together; null: the whole file. */
function selectionOf(linked: readonly AppSpec[]): Set<string> | null {
  const names = new Set<string>();
  for (const spec of linked) {
    const only = spec.source?.only;
    if (only === undefined) return null;
    for (const name of only) names.add(name);
  }
  return names;
}

async function rollBack(
  deps: ReloadDeps,
  file: string,
  changed: { before: AppSpec; after: AppSpec }[],
  failures: Map<string, string>,
  result: ConfigFileReload,
): Promise<void> {
  const reasons = [...failures].map(([name, why]) => `${name}: ${why}`).join('; ');
  for (const { before, after } of changed) {
    if (!failures.has(after.name)) continue;
    try {
      await replaceSpec(deps, after, before, { isStartWanted: true });
      result.rolledBack.push(after.name);
    } catch (error) {
      const why = isVelosError(error) || error instanceof Error ? error.message : String(error);
      deps.log(`config ${file}: rolling ${after.name} back failed: ${why}`);
    }
  }
  result.reason = reasons;
  deps.log(`config ${file}: rolled back ${list(result.rolledBack)}: ${reasons}`);
  for (const name of result.rolledBack) {
    deps.bus.publish({
      kind: 'config.rolled_back',
      severity: 'error',
      app: name,
      message: `${name}: the change from ${file} was rolled back: ${failures.get(name)}`,
      fields: { file, reason: failures.get(name) ?? '' },
    });
  }
}

/** `config.rolled_back` for each app a failed step's undo gave back its previous state. */
function publishRolledBack(deps: Pick<ReloadDeps, 'bus'>, file: string, error: unknown): void {
  if (!isVelosError(error) || error.code !== ErrorCodes.CONFIG_ROLLED_BACK) return;
  const names = (error.data as { rolledBack?: string[] } | undefined)?.rolledBack ?? [];
  for (const name of names) {
    deps.bus.publish({
      kind: 'config.rolled_back',
      severity: 'error',
      app: name,
      message: `${name}: the change from ${file} was rolled back: ${error.message}`,
      fields: { file, reason: error.message },
    });
  }
}

function list(names: readonly string[]): string {
  return names.length === 0 ? '-' : names.join(', ');
}
