import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { AlertRule, AppSpec, VelosControl } from '@velos/core';
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
 * otherwise they are started. `onError` hears a failure (the server then stops).
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
  if (existing.length > 0) {
    await control.configReload(apps.file);
  } else {
    await control.start(apps.specs);
  }
  await control.setAlerts(apps.file, apps.alerts);
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
