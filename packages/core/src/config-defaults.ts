import * as z from 'zod/mini';
import { appConfigSchema } from './app-schema.js';
import { type ConfigIssue, formatPath, valueAt, zodConfigIssues } from './config-error.js';
import { CONFIG_PARSE } from './config-issues.js';
import { quoteValue } from './config-position.js';
import { findPayloadBreach } from './payload-limits.js';

/**
 * `[defaults]`, in `$VELOS_HOME/config.toml` and in a Velos app config file: every app key but `name`
 * and `script`, validated as in an app.
 */
export const appDefaultsSchema = z.partial(z.omit(appConfigSchema, { name: true, script: true }));

const defaultsTableSchema = z.object({ defaults: appDefaultsSchema });

/** What `takeFileDefaults` found: the document without its `defaults`, the table when valid, and its issues. */
export interface FileDefaults {
  doc: unknown;
  defaults?: Record<string, unknown>;
  issues: ConfigIssue[];
}

/**
 * CFG-1: takes the `defaults` table (`[defaults]`, `defaults:`, `"defaults": {…}`) out of a Velos app
 * config document and validates it; an invalid one gives its issues (keyed `defaults.<key>`) and no table.
 */
export function takeFileDefaults(doc: unknown, label: string): FileDefaults {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !Object.hasOwn(doc, 'defaults'))
    return { doc, issues: [] };
  const { defaults: table, ...rest } = doc as Record<string, unknown>;
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    const message = `${label}: defaults: expected a table of app options ([defaults]), got ${quoteValue(table)}`;
    return { doc: rest, issues: [{ message, keyPath: ['defaults'] }] };
  }
  const breach = findPayloadBreach(table);
  if (breach !== null) {
    const keyPath = ['defaults', ...breach.path];
    return {
      doc: rest,
      issues: [{ message: `${label}: ${formatPath(keyPath)}: ${breach.message}`, keyPath }],
    };
  }
  const wrapped = { defaults: table };
  const result = defaultsTableSchema.safeParse(wrapped, CONFIG_PARSE);
  if (!result.success)
    return { doc: rest, issues: zodConfigIssues(label, result.error, wrapped, defaultsTableSchema) };
  return { doc: rest, defaults: table as Record<string, unknown>, issues: [] };
}

/** Each table of `layers` (config.toml's `[defaults]`, then the file's) under every app entry: the app's own keys win. */
export function withDefaults(
  doc: unknown,
  layers: readonly (Record<string, unknown> | undefined)[],
): unknown {
  const apps = (doc as { apps?: unknown } | null)?.apps;
  const defaults = layers.reduce<Record<string, unknown>>(
    (under, layer) => (layer === undefined ? under : underDefaults(under, layer)),
    {},
  );
  if (!Array.isArray(apps) || Object.keys(defaults).length === 0) return doc;
  const merged = apps.map((app) =>
    app !== null && typeof app === 'object' && !Array.isArray(app)
      ? underDefaults(defaults, app as Record<string, unknown>)
      : app,
  );
  return { ...(doc as object), apps: merged };
}

/**
 * An app entry (or a `[defaults]` layer) over the defaults under it: its own keys win. The stamp of its
 * log lines is one choice made by two keys, `time` (which wins beside a `log_date_format`, as in PM2)
 * and `log_date_format`: an entry that stamps its lines by either takes neither from the defaults, so
 * `time = true` in `[defaults]` does not override an app's own `log_date_format`.
 */
export function underDefaults(
  defaults: Record<string, unknown>,
  entry: Record<string, unknown>,
): Record<string, unknown> {
  if (entry.time !== true && typeof entry.log_date_format !== 'string') return { ...defaults, ...entry };
  const { time: _time, log_date_format: _format, ...others } = defaults;
  return { ...others, ...entry };
}

/**
 * The key path an app's issue is found at in the file: `apps[i].key` when the app writes the key, else
 * `defaults.key` when the file's `[defaults]` gave it (so the line is the one of `[defaults]`).
 */
export function sourceKeyPath(
  keyPath: readonly PropertyKey[],
  ownApps: unknown,
  defaults: Record<string, unknown> | undefined,
): PropertyKey[] | null {
  const [, index, key, ...rest] = keyPath;
  if (defaults === undefined || typeof index !== 'number' || typeof key !== 'string') return null;
  const app = Array.isArray(ownApps) ? ownApps[index] : undefined;
  if (valueAt(app, [key]) !== undefined || !Object.hasOwn(defaults, key)) return null;
  return ['defaults', key, ...rest];
}
