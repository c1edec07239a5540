import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import * as z from 'zod/mini';
import { appConfigSchema, type ResolveContext, resolveAppSpec } from './app-schema.js';
import type { AppSpec } from './app-spec.js';
import { ErrorCodes, VelosError } from './errors.js';

/** File extensions `velos start` treats as config files. */
export const CONFIG_EXTENSIONS = ['.toml', '.yaml', '.yml', '.json'] as const;

const configFileSchema = z.strictObject({
  apps: z.array(appConfigSchema).check(z.minLength(1, 'expected at least one app')),
});

/** True when a path names a config file Velos can load (by extension). */
export function isConfigFile(path: string): boolean {
  return (CONFIG_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/**
 * Reads, parses and validates a TOML, YAML or JSON config file into complete `AppSpec`s.
 * Errors name the file, the path inside it and what was expected.
 */
export async function loadConfigFile(path: string, ctx: Omit<ResolveContext, 'baseDir'>): Promise<AppSpec[]> {
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

/** Validates an already parsed config document (`{apps: [...]}` or a bare array). */
export function validateConfig(raw: unknown, label: string, ctx: ResolveContext): AppSpec[] {
  const doc = Array.isArray(raw) ? { apps: raw } : raw;
  const result = configFileSchema.safeParse(doc);
  if (!result.success) throw configError(label, result.error, doc);
  const specs = result.data.apps.map((app) => resolveAppSpec(app, ctx));
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    if (seen.has(spec.name)) {
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `${label}: apps[${i}].name: expected a unique name, "${spec.name}" is used twice`,
      );
    }
    seen.add(spec.name);
  });
  return specs;
}

// The YAML and TOML parsers load only for their own formats (yaml alone costs ~35 ms to import).
async function parseConfigText(text: string, file: string): Promise<unknown> {
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

function configError(label: string, error: z.core.$ZodError, doc: unknown): VelosError {
  const issue = error.issues[0]!;
  const path = formatPath(issue.path);
  const got = valueAt(doc, issue.path);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
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
