import type { AppSpec } from './app-spec.js';

/**
 * The variables an app started with `inherit_env = false` (`--no-inherit-env`) still takes from the
 * caller's environment: what finding programs, the home directory, the locale and the time zone need.
 */
export const KEPT_ENV_KEYS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'TZ', 'TMPDIR'] as const;

/**
 * The variables that tell a supervised process who it is (`instanceEnv`). A caller that runs under
 * Velos or PM2 itself (a deploy job that runs `velos start`) has its own: they are never inherited,
 * or the app's instances would all take the caller's id, name and instance index.
 */
export const IDENTITY_ENV_KEYS = [
  'pm_id',
  'name',
  'NODE_APP_INSTANCE',
  'VELOS_ID',
  'VELOS_NAME',
  'VELOS_INSTANCE',
] as const;

/**
 * The part of the caller's environment an app inherits: all of it by default (as PM2 does: a restored
 * app needs it), or with `isInherited` false only `KEPT_ENV_KEYS` and the `LC_*` locale variables;
 * either way without the variables whose names start with one of `droppedPrefixes` (`filter_env`)
 * and without `IDENTITY_ENV_KEYS`.
 */
export function inheritedEnv(
  env: Record<string, string>,
  isInherited = true,
  droppedPrefixes: readonly string[] = [],
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if ((IDENTITY_ENV_KEYS as readonly string[]).includes(key)) continue;
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
