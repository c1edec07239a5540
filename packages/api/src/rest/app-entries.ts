import { dirname, isAbsolute } from 'node:path';
import { type AppSpec, ErrorCodes, formatPayloadPath, isVelosError, VelosError } from '@velos/core';
import type { RouteContext } from './route-types.js';

// The label the loader's messages start with; swapped for the app's own place in the body.
const LABEL = 'body';
// A cwd no app can have: an app resolved against it named no cwd of its own.
export const NO_CWD = '/.velos-api-cwd-not-given';

/**
 * The `apps` of a `POST /processes` body as complete AppSpecs: an entry written as a config file's
 * app (snake_case keys: `{name, script, args, instances, env…}`) is resolved by the core config
 * loader, as `velos start` reads a file, with every default filled; an entry carrying a field only a
 * resolved AppSpec has (`interpreterArgs`, `minUptimeMs`…) is passed on as it is. A config entry
 * needs an absolute `cwd`, or an absolute script path (its directory is then the cwd): the API
 * server's own directory means nothing to a remote client.
 */
export async function resolveAppEntries(apps: unknown, ctx: RouteContext): Promise<unknown> {
  if (!Array.isArray(apps) || !apps.some(isConfigEntryCandidate)) return apps;
  const [loader, schemas] = await Promise.all([import('@velos/core/config'), import('@velos/core/schemas')]);
  const configKeys = new Set(Object.keys(loader.appConfigSchema.def.shape));
  const specOnlyKeys = new Set(
    Object.keys(schemas.appSpecSchema.def.shape).filter((k) => !configKeys.has(k)),
  );
  return apps.map((entry, i) => {
    if (!isConfigEntryCandidate(entry) || Object.keys(entry).some((key) => specOnlyKeys.has(key))) {
      return entry;
    }
    return resolveEntry(entry, i, loader, ctx);
  });
}

type Loader = typeof import('@velos/core/config');

function resolveEntry(entry: Record<string, unknown>, i: number, loader: Loader, ctx: RouteContext) {
  const { script, cwd } = entry;
  // a script that is a file's absolute path (no command line) places an app without a cwd; the
  // base directory is the one relative paths (env_file too) resolve against
  const isPlacedByScript =
    cwd === undefined && typeof script === 'string' && isAbsolute(script) && !/\s/.test(script);
  const baseDir =
    typeof cwd === 'string' && isAbsolute(cwd) ? cwd : isPlacedByScript ? dirname(script) : NO_CWD;
  let spec: AppSpec | undefined;
  try {
    [spec] = loader.validateConfig({ apps: [entry] }, LABEL, {
      baseDir,
      baseEnv: ctx.start.env,
      cpuCount: ctx.start.cpuCount,
    });
  } catch (error) {
    throw atEntry(error, i);
  }
  if (spec === undefined || spec.cwd === NO_CWD || spec.cwd.startsWith(`${NO_CWD}/`)) {
    const field = `apps[${i}].cwd`;
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `${field}: expected an absolute directory, or an absolute script path (its directory is then the cwd), got ${cwd === undefined ? 'none' : JSON.stringify(cwd)}: the API server's own directory means nothing to a remote client`,
      { data: { field } },
    );
  }
  return spec;
}

/** A loader error about the one-app document `{apps: [entry]}`, moved to the entry's place `apps[i]`. */
function atEntry(error: unknown, i: number): unknown {
  if (!isVelosError(error)) return error;
  const data = (error.data ?? {}) as { keyPath?: unknown[] };
  const rest = Array.isArray(data.keyPath) ? data.keyPath.slice(2) : [];
  const field = formatPayloadPath(['apps', i, ...(rest as PropertyKey[])]);
  const prefix = `${LABEL}: apps[0]`;
  const message = error.message.startsWith(prefix)
    ? `apps[${i}]${error.message.slice(prefix.length)}`
    : `apps[${i}]: ${error.message.replace(`${LABEL}: `, '')}`;
  return new VelosError(error.code, message, { data: { ...data, field }, cause: error });
}

function isConfigEntryCandidate(entry: unknown): entry is Record<string, unknown> {
  return entry !== null && typeof entry === 'object' && !Array.isArray(entry);
}
