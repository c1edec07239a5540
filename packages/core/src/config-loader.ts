import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import * as z from 'zod/mini';
import { appConfigSchema, envValues, type ResolveContext, resolveAppSpec } from './app-schema.js';
import type { AppSpec } from './app-spec.js';
import { ErrorCodes, VelosError } from './errors.js';
import { keysAt, suggestKey } from './key-suggestion.js';
import { processEntryToApp, processesFileSchema } from './processes-form.js';

/** File extensions `velos start` treats as config files. */
export const CONFIG_EXTENSIONS = ['.toml', '.yaml', '.yml', '.json'] as const;

const configFileSchema = z.strictObject({
  apps: z.array(appConfigSchema).check(z.minLength(1, 'expected at least one app')),
});

/** True when a path names a config file Velos can load (by extension). */
export function isConfigFile(path: string): boolean {
  return (CONFIG_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** What loading a config file needs besides the file. */
export interface LoadConfigOptions extends Omit<ResolveContext, 'baseDir'> {
  /** An env profile: each app's `env_<profile>` table is merged over its `env` (`velos start --env <profile>`). */
  envProfile?: string;
}

const PROFILE_KEY = /^env_([A-Za-z0-9_.-]+)$/;

/**
 * Reads, parses and validates a TOML, YAML or JSON config file into complete `AppSpec`s.
 * Errors name the file, the path inside it and what was expected.
 */
export async function loadConfigFile(path: string, ctx: LoadConfigOptions): Promise<AppSpec[]> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new VelosError(ErrorCodes.CONFIG_NOT_FOUND, `${basename(file)}: cannot read config file ${file}`, {
      cause,
    });
  }
  const raw = await parseConfigText(text, file);
  return validateConfig(raw, basename(file), { ...ctx, baseDir: dirname(file) });
}

/** Validates an already parsed config document (`{apps: [...]}`, a bare array, or `{processes: [...]}`). */
export function validateConfig(
  document: unknown,
  label: string,
  ctx: ResolveContext & { envProfile?: string },
): AppSpec[] {
  // OBS-3: a file's `[[alerts]]` are read by `loadConfigAlerts` (alert-rules.ts), not by the app schema.
  const raw = hasKey(document, 'alerts')
    ? withoutKey(document as Record<string, unknown>, 'alerts')
    : document;
  const isProcessesForm = hasKey(raw, 'processes');
  const listKey = isProcessesForm ? 'processes' : 'apps';
  const apps = isProcessesForm ? appsFromProcesses(raw, label) : raw;
  const { doc, profiles } = splitProfiles(Array.isArray(apps) ? { apps } : apps, label);
  const result = configFileSchema.safeParse(doc);
  if (!result.success) throw configError(label, result.error, doc, configFileSchema);
  const specs = result.data.apps.map((app) => {
    try {
      return resolveAppSpec(app, ctx);
    } catch (error) {
      if (error instanceof VelosError)
        throw new VelosError(error.code, `${label}: ${error.message}`, { data: error.data });
      throw error;
    }
  });
  if (ctx.envProfile !== undefined) applyProfile(specs, profiles, ctx.envProfile, label);
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    if (seen.has(spec.name)) {
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `${label}: ${listKey}[${i}].name: expected a unique name, "${spec.name}" is used twice`,
      );
    }
    seen.add(spec.name);
  });
  return specs;
}

/**
 * The `processes:` form (SUP-10, the log-inactivity watchdog seed) as apps: each command runs with a
 * watchdog on its log file; bare numbers there are seconds. A file with `apps` too is refused.
 */
function appsFromProcesses(raw: unknown, label: string): Record<string, unknown>[] {
  if (hasKey(raw, 'apps')) {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${label}: expected either "apps" or "processes", not both (they describe apps in two forms)`,
    );
  }
  const result = processesFileSchema.safeParse(raw);
  if (!result.success) throw configError(label, result.error, raw, processesFileSchema);
  return result.data.processes.map(processEntryToApp);
}

function withoutKey(doc: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _left, ...rest } = doc;
  return rest;
}

function hasKey(doc: unknown, key: string): boolean {
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && key in doc;
}

/**
 * Takes the `env_<profile>` keys (PM2's env profiles) out of every app entry, validated, so that the
 * strict app schema still rejects every other unknown key.
 */
function splitProfiles(
  doc: unknown,
  label: string,
): { doc: unknown; profiles: Record<string, Record<string, string>>[] } {
  const apps = (doc as { apps?: unknown } | null)?.apps;
  if (!Array.isArray(apps)) return { doc, profiles: [] };
  const profiles: Record<string, Record<string, string>>[] = [];
  const stripped = apps.map((app, i) => {
    const own: Record<string, Record<string, string>> = {};
    profiles.push(own);
    if (app === null || typeof app !== 'object' || Array.isArray(app)) return app;
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(app)) {
      const profile = PROFILE_KEY.exec(key)?.[1];
      if (profile === undefined) {
        rest[key] = value;
        continue;
      }
      const parsed = envValues.safeParse(value);
      if (!parsed.success) {
        throw new VelosError(
          ErrorCodes.INVALID_CONFIG,
          `${label}: apps[${i}].${key}: expected a table of environment variables, got ${JSON.stringify(value)}`,
        );
      }
      own[profile] = parsed.data;
    }
    return rest;
  });
  return { doc: { ...(doc as object), apps: stripped }, profiles };
}

function applyProfile(
  specs: AppSpec[],
  profiles: Record<string, Record<string, string>>[],
  profile: string,
  label: string,
): void {
  if (!profiles.some((own) => own[profile] !== undefined)) {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${label}: no app has an env_${profile} table (from --env ${profile})`,
    );
  }
  specs.forEach((spec, i) => {
    const env = profiles[i]?.[profile];
    if (env) {
      spec.env = { ...spec.env, ...env };
      spec.ownEnv = { ...spec.ownEnv, ...env };
    }
  });
}

/** Parses a config file's text by its extension (TOML, YAML, JSON); the parsers load only for their own formats (yaml alone costs ~35 ms to import). */
export async function parseConfigText(text: string, file: string): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.toml') return parserOf(await import('smol-toml'))(text);
    if (ext === '.yaml' || ext === '.yml') return parserOf(await import('yaml'))(text);
    if (ext === '.json') return JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${basename(file)}: not valid ${ext.slice(1).toUpperCase()}: ${detail}`,
      {
        cause,
      },
    );
  }
  throw new VelosError(
    ErrorCodes.INVALID_CONFIG,
    `${basename(file)}: unsupported config format (expected ${CONFIG_EXTENSIONS.join(', ')})`,
  );
}

type Parse = (text: string) => unknown;

// A bundler may hand a CommonJS package (yaml) to `import()` as `{ default: module }` only.
function parserOf(mod: { parse?: Parse; default?: { parse?: Parse } }): Parse {
  const parse = mod.parse ?? mod.default?.parse;
  if (!parse) throw new Error('the parser module has no parse function');
  return parse;
}

function configError(
  label: string,
  error: z.core.$ZodError,
  doc: unknown,
  schema: z.core.$ZodType,
): VelosError {
  const issue = error.issues[0]!;
  const path = formatPath(issue.path);
  const got = valueAt(doc, issue.path);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, issue.path);
    const keys = issue.keys.map((key) => {
      const meant = suggestKey(key, known);
      return meant === null ? `"${key}"` : `"${key}" (did you mean "${meant}"?)`;
    });
    message = `unknown option${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
  } else if (got !== undefined && !message.includes('got')) {
    message = `${message}, got ${JSON.stringify(got)}`;
  }
  return new VelosError(ErrorCodes.INVALID_CONFIG, `${label}: ${path ? `${path}: ` : ''}${message}`, {
    data: { issues: error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = doc;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
