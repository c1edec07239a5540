import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  type AlertRule,
  type AppSpec,
  ErrorCodes,
  startWithFileAlerts,
  type VelosControl,
  VelosError,
} from '@velos/core';
import type { DaemonExtension } from '@velos/supervisor';

/** The apps (and `[[alerts]]`) of the config file `velos-server` was given, validated before anything starts. */
export interface ConfigApps {
  /** Absolute path of the config file. */
  file: string;
  specs: AppSpec[];
  alerts: AlertRule[];
}

/**
 * Reads and validates a config file as `velos start <file>` does (config.toml's `[defaults]` under
 * each app, each app linked to the file for `velos config reload`); a bad file throws naming file and key.
 */
export async function loadConfigApps(path: string, home: string): Promise<ConfigApps> {
  const config = await import('@velos/core/config');
  const file = resolve(path);
  const daemonConfig = await config.loadDaemonConfig(join(home, 'config.toml'));
  const defaults =
    daemonConfig && Object.keys(daemonConfig.defaults).length > 0 ? daemonConfig.defaults : undefined;
  const specs = await config.loadConfigFile(file, {
    baseEnv: definedEnv(process.env),
    cpuCount: availableParallelism(),
    ...(defaults ? { defaults } : {}),
  });
  for (const spec of specs) spec.source = { file };
  return { file, specs, alerts: (await config.loadConfigAlerts(file)) ?? [] };
}

/**
 * A daemon extension that starts the config file's apps once, after the saved state is restored:
 * apps restored from an earlier run of the same file are brought in line with it (a config reload),
 * otherwise they are started. `onError` hears a failure (the server then stops), an app that could not
 * be spawned included (a script or working directory that is not there), as `velos start` exits 1 on it.
 */
export function createConfigAppsExtension(
  apps: ConfigApps,
  onError: (error: unknown) => void,
): DaemonExtension {
  let isDone = false;
  return {
    name: 'apps',
    async apply(host): Promise<undefined> {
      if (isDone) return;
      isDone = true;
      try {
        await startConfigApps(host.control, apps);
        host.log(`apps: started ${apps.specs.length} from ${apps.file}`);
      } catch (error) {
        onError(error);
      }
    },
    async close() {},
  };
}

async function startConfigApps(control: VelosControl, apps: ConfigApps): Promise<void> {
  const names = new Set(apps.specs.map((spec) => spec.name));
  const existing = (await control.list()).filter((p) => names.has(p.name));
  // OBS-3: the file's rules are in before its apps start (an exit in their first ms is seen)
  await startWithFileAlerts(
    control,
    apps.file,
    apps.alerts,
    (): Promise<unknown> =>
      existing.length > 0 ? control.configReload(apps.file) : control.start(apps.specs),
  );
  const failures = await spawnFailures(control, names);
  if (failures.length > 0) {
    throw new VelosError(
      ErrorCodes.SPAWN_FAILED,
      `cannot start the apps of ${basename(apps.file)}: ${failures.join('; ')}`,
    );
  }
}

/** The prefix of the line the daemon writes into an app's err log when it cannot spawn it. */
const SPAWN_NOTE_PREFIX = 'velos: ';

/** `<name>: <the daemon's reason>` for each app of `names` left errored because it could not be spawned. */
async function spawnFailures(control: VelosControl, names: ReadonlySet<string>): Promise<string[]> {
  const failed = (await control.list()).filter(
    (p) => names.has(p.name) && p.status === 'errored' && p.lastExitReason === 'spawn-error',
  );
  return Promise.all(
    failed.map(async (p) => {
      // the daemon writes why into the app's err log: `velos: cannot start nope.js: not found (ENOENT)`
      const [note] = await control.logs({ target: String(p.id), lines: 1, stream: 'err' }).catch(() => []);
      const why = note?.line.startsWith(SPAWN_NOTE_PREFIX) ? note.line.slice(SPAWN_NOTE_PREFIX.length) : null;
      return `${p.name}: ${why ?? 'could not start'}`;
    }),
  );
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
