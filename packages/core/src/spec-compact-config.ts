import { resolveAppSpec } from './app-schema.js';
import type { AppSpec } from './app-spec.js';
import { specToConfig } from './spec-to-config.js';

/**
 * CLI-3/MCP-1: `specToConfig` with the defaults left out: only the keys whose values differ from
 * those of an app with the same name, script and cwd and no other option (name and script always).
 */
export function specToCompactConfig(spec: AppSpec): Record<string, unknown> {
  const full = specToConfig(spec);
  const base = specToConfig(
    resolveAppSpec({ name: spec.name, script: spec.script }, { baseDir: spec.cwd, baseEnv: {}, cpuCount: 1 }),
  );
  return Object.fromEntries(
    Object.entries(full).filter(
      ([key, value]) =>
        key === 'name' || key === 'script' || JSON.stringify(value) !== JSON.stringify(base[key]),
    ),
  );
}
