import { resolveAppSpec } from './app-schema.js';
import { APP_DEFAULTS, type AppSpec } from './app-spec.js';
import { specToConfig } from './spec-to-config.js';

/**
 * CLI-3/MCP-1: `specToConfig` with the defaults left out: only the keys whose values differ from
 * those of an app with the same name, script, cwd and type and no other option (name and script
 * always, `type` when it is not a service: a job's own defaults, such as `autorestart = false`, are left out).
 */
export function specToCompactConfig(spec: AppSpec): Record<string, unknown> {
  const full = specToConfig(spec);
  const base = specToConfig(
    resolveAppSpec(
      { name: spec.name, script: spec.script, type: spec.type },
      { baseDir: spec.cwd, baseEnv: {}, cpuCount: 1 },
    ),
  );
  const isKept = (key: string): boolean =>
    key === 'name' || key === 'script' || (key === 'type' && spec.type !== APP_DEFAULTS.type);
  return Object.fromEntries(
    Object.entries(full).filter(
      ([key, value]) => isKept(key) || JSON.stringify(value) !== JSON.stringify(base[key]),
    ),
  );
}
