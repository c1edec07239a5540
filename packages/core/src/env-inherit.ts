import type { AppSpec } from './app-spec.js';

/**
 * The variables an app started with `inherit_env = false` (`--no-inherit-env`) still takes from the
 * caller's environment: what finding programs, the home directory, the locale and the time zone need.
 */
export const KEPT_ENV_KEYS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'TZ', 'TMPDIR'] as const;

/**
 * The part of the caller's environment an app inherits: all of it by default (as PM2 does: a restored
 * app needs it), or with `isInherited` false only `KEPT_ENV_KEYS` and the `LC_*` locale variables;
 * either way without the variables whose names start with one of `droppedPrefixes` (`filter_env`).
 */
export function inheritedEnv(
  env: Record<string, string>,
  isInherited = true,
  droppedPrefixes: readonly string[] = [],
): Record<string, string> {
  if (isInherited && droppedPrefixes.length === 0) return env;
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (droppedPrefixes.some((prefix) => key.startsWith(prefix))) continue;
    if (isInherited || (KEPT_ENV_KEYS as readonly string[]).includes(key) || key.startsWith('LC_'))
      kept[key] = value;
  }
  return kept;
}

/** The environment an app inherited at its first start: its env without its own (config) part. */
export function inheritedPartOf(spec: Pick<AppSpec, 'env' | 'ownEnv'>): Record<string, string> {
  if (!spec.ownEnv) return { ...spec.env };
  const own = new Set(Object.keys(spec.ownEnv));
  return Object.fromEntries(Object.entries(spec.env).filter(([key]) => !own.has(key)));
}
